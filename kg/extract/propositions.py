"""What a claim is about: the kind of communication, who sent it to whom, through which channel.

The reported words are searched for a communication cue ("exchange of messages", "negotiations",
"asked", "warned", "messages to"). The sender is the actor the clause names before the cue (or
after "from"/"by"), the recipient the one after it (the verb's object, or after "to"); mutual
kinds take their parties from "between X and Y", "X and Y have …", or the subject and "with X".
A person, an anonymous source or a group of officials stands for their state in a communication
between states ("Iran's top diplomat told …" is Iran telling), except that a meeting is between
the people who met. The channel is a reference channel named by one of its labels or reached
through its intermediary ("via Oman", "through the Swiss embassy"); an intermediary the reference
data lacks ("through Norwegian diplomats") becomes a channel of the document's own. Without a
communication cue (or without two distinct parties) the claim is a position about the actors it
names.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from kg.extract.actors import ActorRegistry
from kg.extract.attribution import light_gap
from kg.extract.gazetteer import Gazetteer
from kg.extract.lexicon import COMMUNICATION_RE, DIRECT_RE, INDIRECT_RE, INITIATE_RE, TOPIC_CUES
from kg.extract.mentions import Mention, MentionFinder
from kg.extract.quotes import Quote
from kg.extract.spans import SpanList
from kg.extract.timex import find_timexes
from kg.models import DIRECTIONAL_KINDS, ChannelType, Kind, LocalChannel, Proposition, TimeSpan

_CHANNEL_PREP = re.compile(
    r"\b(?P<prep>via|through|by way of|mediated by|with the help of|hosted by|brokered by|in)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_MISSION = re.compile(
    r"\b(?:via|through|by way of|using)\s+(?:the\s+)?(?P<who>[A-Z][\w'-]+?)(?:'s)?\s+"
    r"(?P<what>embassy|consulate|mission|interests section)(?P<where>\s+in\s+[A-Z][\w-]+)?",
)
_UNSPECIFIED = re.compile(
    r"\bthrough (?:intermediaries|mediators|third parties|go-betweens)\b", re.IGNORECASE
)
_CLAUSE_BREAK = re.compile(r"\bthat\b|[;:]|,\s+(?:but|while|and|whereas)\b|\bwhile\b", re.IGNORECASE)
_RECEIVE = re.compile(
    r"\b(?:receiv(?:ed|es|ing|e)|got|gets|obtained|was handed|were handed)\b", re.IGNORECASE
)
_IN_RESPONSE = re.compile(r"\b(?:in response to|in reply to|replying to|responding to)\s+", re.IGNORECASE)
_SUCH_AS = re.compile(
    r"\s*(?:the\s+)?(?:[a-z][\w-]*\s+){0,3}?[a-z][\w-]*,?\s+"
    r"(?:especially|including|notably|particularly|such as|namely)\s+"
    r"(?:the\s+)?",
    re.IGNORECASE,
)
_NOUN_CUE_GAP = re.compile(
    r"\s*(?:'s\s+)?(?:(?:has|have|had|was|were|is|are|also|reportedly|allegedly|been|repeatedly|secretly)\s+)*"
    r"(?:sent|sending|send|sends|passed|delivered|conveyed|relayed|carried|exchanged|held|holding|hold|had|"
    r"having|conducted|conducting|pursued|pursuing|used|using|opened|opening|maintained|maintaining)\s+"
    r"(?:(?:a|an|the|at|least|some|several|two|three|four|many|dozens|tens|of|series|number|secret|direct|"
    r"indirect|private|public|new|further|more|written|verbal|oral|its|their|his|her|\d+)\s+)*",
    re.IGNORECASE,
)
_MET = re.compile(r"\bmet\b|\bmeeting\b", re.IGNORECASE)
_VERB_LIKE = {"message": "sent a message to", "request": "asked", "warning": "warned"}
_MUTUAL_PHRASE = {
    "communication": "were in communication",
    "message-exchange": "exchanged messages",
    "talks": "held talks",
    "negotiation": "negotiated",
}
STATE_STAND_INS = ("person", "collective", "unnamed-source", "mission")


@dataclass
class LocalChannels:
    """Channels a document names that the reference data lacks."""

    items: dict[str, LocalChannel] = field(default_factory=dict)
    intermediaries: dict[str, str] = field(default_factory=dict)  # channel id -> actor key

    def add(self, label: str, type_: ChannelType, intermediary: str | None, slug: str) -> str:
        base = "via-" + slug
        for existing, key in self.intermediaries.items():
            if key == intermediary and intermediary is not None:
                return existing
        cid, n = base, 2
        while cid in self.items:
            cid, n = f"{base}-{n}", n + 1
        self.items[cid] = LocalChannel(
            id=cid, type=type_, label=label, intermediary=slug if intermediary else None
        )
        if intermediary is not None:
            self.intermediaries[cid] = intermediary
        return cid


@dataclass
class Built:
    proposition: Proposition
    actors: set[str]  # actor keys the proposition uses
    cue: tuple[int, int] | None
    kind: Kind


class PropositionBuilder:
    """Builds propositions for the claims of one document."""

    def __init__(
        self,
        text: str,
        gazetteer: Gazetteer,
        registry: ActorRegistry,
        finder: MentionFinder,
        mentions: list[Mention],
        published: dt.date | None,
        channels: LocalChannels,
        quotes: list[Quote],
    ) -> None:
        self.text = text
        self.g = gazetteer
        self.reg = registry
        self.finder = finder
        self.mentions = mentions
        self.published = published
        self.channels = channels
        self.quotes = SpanList(quotes)
        self.spans = SpanList(mentions)
        self.last_parties: list[str] = []

    # --- helpers

    def _in(self, start: int, end: int) -> list[Mention]:
        return [
            m
            for m in self.spans.within(start, end)
            if not m.location and (m.key or m.form == "both" or (m.form == "pronoun" and m.head == "they"))
        ]

    def _stand_in(self, key: str, keep_people: bool) -> str:
        """The actor that acts in a communication: a person's state, unless people met in person."""
        kind = self.reg.kind(key)
        if kind == "outlet":
            return ""  # a news outlet is interviewed, it is not a party to diplomacy
        if kind == "person" and keep_people:
            return key
        seen = {key}
        current = key
        while self.reg.kind(current) in STATE_STAND_INS:
            up = self.reg.affiliation(current)
            if up is None or up in seen:
                break
            seen.add(up)
            current = up
        return current  # Nasrallah acts for Hezbollah, a minister for the state

    def cues(self, start: int, end: int) -> list[tuple[int, int, Kind]]:
        """Communication cues in a stretch, in order, the more specific kind first where they overlap."""
        found: list[tuple[int, int, Kind]] = []
        window = self.text[start:end]
        names = [m for m in self.spans.overlapping(start, end) if m.form in ("name", "title", "source")]
        for kind, rx in COMMUNICATION_RE:
            for m in rx.finditer(window):
                s, e = start + m.start(), start + m.end()
                if any(not (e <= f[0] or s >= f[1]) for f in found):
                    continue
                if any(n.start <= s < n.end for n in names):
                    continue
                found.append((s, e, kind))  # type: ignore[arg-type]
        return sorted(found)

    def _subject(self, start: int, cue: int) -> Mention | None:
        """The actor doing what the cue says: named just before it, or opening its clause."""
        clause_start = start
        for brk in _CLAUSE_BREAK.finditer(self.text, start, cue):
            clause_start = brk.end()
        left = [m for m in self._in(clause_start, cue) if m.form != "both"]
        for m in reversed(left):
            gap = self.text[m.end : cue]
            if light_gap(gap) or _NOUN_CUE_GAP.fullmatch(gap):
                return m
        if left and re.fullmatch(
            r"[\s,“\"'(]*(?:(?:the|but|and|so|yet|however|also)[\s,]+)*",
            self.text[clause_start : left[0].start],
            re.IGNORECASE,
        ):
            return left[0]
        for m in reversed(left):
            if re.search(
                r"\b(?:to|with|from|in|at|by|of|between|against|like|as|including)\s+(?:the\s+)?$",
                self.text[max(clause_start, m.start - 12) : m.start],
                re.IGNORECASE,
            ):
                continue
            between = self.text[m.end : cue]
            if re.search(r"\b(?:to|with|between|against|by|for|that)\b", between[:12], re.IGNORECASE) and (
                not between.startswith("'s")
            ):
                continue
            return m
        return None

    def _receiver(self, start: int, cue: int) -> Mention | None:
        """The subject of "received" or "got" before the cue: the one a message came to."""
        clause_start = start
        for brk in _CLAUSE_BREAK.finditer(self.text, start, cue):
            clause_start = brk.end()
        verb = _RECEIVE.search(self.text, clause_start, cue)
        if verb is None:
            return None
        left = [m for m in self._in(clause_start, verb.start()) if m.form != "both"]
        return left[-1] if left else None

    def _after(self, pattern: str, start: int, end: int, within: int = 45) -> list[Mention]:
        """Mentions right after a preposition in [start, start+within), with "X and Y" lists."""
        m = re.compile(pattern, re.IGNORECASE).search(self.text, start, min(end, start + within))
        if m is None:
            return []
        out: list[Mention] = []
        pos = m.end()
        for mention in self._in(pos, end):
            gap = self.text[pos : mention.start]
            if not re.fullmatch(
                r"\s*(?:the\s+|and\s+(?:the\s+)?|,\s*|some\s+|other\s+)*", gap, re.IGNORECASE
            ) and (not _SUCH_AS.fullmatch(gap)):
                break
            out.append(mention)
            pos = mention.end
        return out

    def _object(self, cue_end: int, end: int) -> Mention | None:
        for mention in self._in(cue_end, end):
            gap = self.text[cue_end : mention.start]
            if re.fullmatch(r"\s*(?:the\s+)?", gap):
                return mention
            return None
        return None

    def _resolve(self, mention: Mention, speaker: str | None) -> list[str]:
        if mention.form == "both" or (mention.key is None and mention.head == "they"):
            return list(self.last_parties)  # "the two foes", "they are talking": the pair the text is about
        if mention.key is None:
            return []
        return [mention.key]

    # --- the proposition

    def build(self, start: int, end: int, speaker: str | None, subject_is_speaker: bool) -> Built:
        """The proposition of the claim whose words are ``text[start:end]``."""
        cues = self.cues(start, end)
        for s, e, kind in cues:
            built = self._communication(start, end, s, e, kind, speaker, subject_is_speaker)
            if built is not None:
                return built
        return self._position(start, end, speaker)

    def _communication(
        self, start: int, end: int, s: int, e: int, kind: Kind, speaker: str | None, subject_is_speaker: bool
    ) -> Built | None:
        text = self.text
        keep_people = kind == "talks" and bool(_MET.search(text[s:e]))
        subject = self._subject(start, s)
        subject_keys = self._resolve(subject, speaker) if subject else []
        if not subject_keys and subject_is_speaker and speaker:
            subject_keys = [speaker]
        # "X and Y have been in …": a conjoined subject
        if subject is not None and kind not in DIRECTIONAL_KINDS:
            before = [m for m in self._in(start, subject.start) if m.key]
            if before and re.fullmatch(r"\s+and\s+(?:the\s+)?", text[before[-1].end : subject.start]):
                subject_keys = [before[-1].key or "", *subject_keys]
            pos = subject.end
            for m in self._in(subject.end, s):
                if not m.key or not re.fullmatch(r"\s*(?:,|,?\s*and)\s*(?:the\s+)?", text[pos : m.start]):
                    break
                subject_keys.append(m.key)
                pos = m.end
        by = self._after(r"\bby\s+", e, end, 20)
        frm = self._after(r"\bfrom\s+", e, end, 60)
        to = self._after(r"\bto\s+", e, end, 70)
        with_ = self._after(r"\bwith\s+", e, end, 30)
        between = self._after(r"\bbetween\s+", e, end, 40)
        obj = self._object(e, end)
        receiver = self._receiver(start, s)
        if receiver is not None:
            # "his group had received no message from Washington": the subject is the recipient
            before = [m for m in self._in(receiver.end, s) if m.key]
            obj, subject_keys = receiver, []
            if before and re.fullmatch(r"\s*(?:'s\s+)?(?:[a-z]+\s+){0,2}", text[before[-1].end : s]):
                subject_keys = [before[-1].key or ""]  # "Iran got US message": a US message
        actors: set[str] = set()
        go_between: str | None = None
        quoted = self.quotes.around(s) is not None
        if kind in DIRECTIONAL_KINDS:
            senders = [k for m in (by or frm) for k in self._resolve(m, speaker)] or subject_keys
            if not senders and speaker and quoted:
                senders = [speaker]  # the speaker's own words: "we said …"
            recipients = [k for m in ([obj] if obj and not by else []) for k in self._resolve(m, speaker)]
            if by and subject_keys:
                recipients = subject_keys  # "Iran was asked by the US"
            recipients = recipients or [k for m in to for k in self._resolve(m, speaker)]
            if not recipients:
                reply = _IN_RESPONSE.search(self.text, start, end)
                if reply is not None:
                    recipients = [
                        k for m in self._after(r"", reply.end(), end, 5) for k in self._resolve(m, speaker)
                    ]
            if senders and not recipients and len(self.last_parties) == 2:
                first = self._stand_in(senders[0], False)
                if first in self.last_parties:  # the other side of the exchange the text is about
                    recipients = [p for p in self.last_parties if p != first]
            sender = next((a for k in senders if (a := self._stand_in(k, False))), None)
            recipient = next((a for k in recipients if (a := self._stand_in(k, False))), None)
            if frm and subject_keys and not by:
                go_between = self._stand_in(subject_keys[0], False)  # "we passed messages from A to B"
            if sender and recipient and sender != recipient:
                prop_kind: Kind = kind
                actors = {sender, recipient}
                self.last_parties = [sender, recipient]
                roles = {"sender": self.reg.slug(sender), "recipient": self.reg.slug(recipient)}
                parties: list[str] = []
            else:
                pool = [a for k in [*senders, *recipients] if k and (a := self._stand_in(k, False))]
                parties = list(dict.fromkeys(pool))
                if len(parties) < 2:
                    return None
                prop_kind = "communication"
                roles = {}
                actors = set(parties)
        else:
            pool = [k for m in between for k in self._resolve(m, speaker)]
            if len(pool) >= 2 and subject_keys:
                go_between = self._stand_in(
                    subject_keys[0], keep_people
                )  # "Qatar carried messages between A and B"
            if len(pool) < 2:
                others = with_ or to or ([obj] if obj is not None else [])
                pool = subject_keys + [k for m in others for k in self._resolve(m, speaker)]
            if (
                len(pool) < 2
                and speaker
                and not (subject is not None and subject.form in ("both", "pronoun"))
            ):
                pool = [speaker, *pool]
            if any(k and not self._stand_in(k, keep_people) for k in pool):
                return None  # talking to a news outlet is an interview
            parties = list(dict.fromkeys(a for k in pool if k and (a := self._stand_in(k, keep_people))))
            if len(parties) == 1 and parties[0] in self.last_parties and len(self.last_parties) >= 2:
                parties = list(self.last_parties)  # "these discussions": the exchange the text is about
            if len(parties) < 2:
                return None
            prop_kind = kind
            roles = {}
            actors = set(parties)
            if not keep_people:
                self.last_parties = parties  # a meeting of people is not the pair of states the text follows
        channel, direct = self._channel(start, end, s, e, prop_kind, actors, hosted=not keep_people)
        if channel is None and go_between and go_between not in actors:
            channel = self._channel_through(go_between, actors)
            if channel is not None:
                direct = False
        initiator = None
        if INITIATE_RE.search(text[start:end]) and subject_keys:
            first = self._stand_in(subject_keys[0], keep_people)
            if first in actors:
                initiator = self.reg.slug(first)
        time = self._time(start, end)
        summary = self._summary(prop_kind, roles, parties, channel, time)
        prop = Proposition(
            kind=prop_kind,
            sender=roles.get("sender"),
            recipient=roles.get("recipient"),
            parties=[self.reg.slug(p) for p in parties] if prop_kind not in DIRECTIONAL_KINDS else [],
            channel=channel,
            direct=direct,
            initiator=initiator,
            time=time,
            topics=self._topics(start, end),
            summary=summary,
        )
        return Built(prop, actors, (s, e), prop_kind)

    def _position(self, start: int, end: int, speaker: str | None) -> Built:
        subjects: list[str] = []
        for m in self._in(start, end):
            for key in self._resolve(m, speaker):
                if key not in subjects:
                    subjects.append(key)
        words = " ".join(self.text[start:end].split())
        summary = words if len(words) <= 300 else words[:297].rsplit(" ", 1)[0] + " …"
        prop = Proposition(
            kind="position",
            subjects=[self.reg.slug(k) for k in subjects],
            topics=self._topics(start, end),
            summary=summary or "(no words)",
        )
        return Built(prop, set(subjects), None, "position")

    # --- parts

    def _channel(
        self, start: int, end: int, s: int, e: int, kind: Kind, parties: set[str], hosted: bool = True
    ) -> tuple[str | None, bool | None]:
        text = self.text
        window = text[start:end]
        channel: str | None = None
        for m in self.g.channel_re.finditer(window):
            slug = self.g.channel_names[m.group()]
            if slug == "direct":
                continue  # "directly" says how, not through what: directness below
            channel = slug
            break
        if channel is None and _UNSPECIFIED.search(window):
            channel = "back-channels" if "back-channels" in self.g.channels else None
        if channel is None:
            channel = self._channel_by_mission(start, end)
        if channel is None:
            channel = self._channel_by_intermediary(start, end, kind, parties, hosted)
        direct: bool | None = None
        near = text[max(start, s - 30) : min(end, e + 20)]
        if DIRECT_RE.search(near) and not re.search(r"\bindirect", near, re.IGNORECASE):
            direct = True
        if INDIRECT_RE.search(near):
            direct = False
        if channel is not None:
            info = self.g.channels.get(channel)
            is_direct = info.direct if info else self.channels.items[channel].type == "direct"
            direct = is_direct if direct is None or not is_direct else direct
        return channel, direct

    def _channel_by_mission(self, start: int, end: int) -> str | None:
        m = _MISSION.search(self.text, start, end)
        if m is None:
            return None
        state = self.finder.state_for(m.group("who"))
        if state is None:
            return None
        if state in self.g.channel_of_intermediary:
            return self.g.channel_of_intermediary[state]
        label = " ".join(m.group().split()[1:])
        type_: ChannelType = "protecting-power" if m.group("what") == "interests section" else "mediator"
        return self.channels.add(label, type_, state, self.reg.slug(state))

    def _channel_by_intermediary(
        self, start: int, end: int, kind: Kind, parties: set[str], hosted: bool
    ) -> str | None:
        """A channel through an actor the words name after "via", "through" … or, for talks, "in"."""
        for mention in self._all_in(start, end):
            prep = _CHANNEL_PREP.search(self.text, max(start, mention.start - 30), mention.start)
            if prep is None or mention.key is None:
                continue
            key = mention.key
            if prep.group("prep").lower() == "in":
                hosts_talks = hosted and kind not in DIRECTIONAL_KINDS and self.reg.kind(key) == "state"
                if not hosts_talks or key in parties:
                    continue
            elif key in parties:
                continue
            found = self._channel_through(key, parties)
            if found is not None:
                return found
        return None

    def _channel_through(self, key: str, parties: set[str]) -> str | None:
        """The channel whose intermediary is this actor (or its state): a reference one, or a new one."""
        if key in self.g.channel_of_intermediary:
            return self.g.channel_of_intermediary[key]
        state = self.reg.state_of(key)
        if state and state not in parties and state in self.g.channel_of_intermediary:
            return self.g.channel_of_intermediary[state]
        kind_of = self.reg.kind(key)
        if kind_of in ("person", "collective", "unnamed-source") and state and state not in parties:
            key = state
        elif kind_of not in ("state", "organisation", "mission"):
            return None
        if key in parties:
            return None
        label = f"via {self.reg.label(key)}"
        return self.channels.add(label, "mediator", key, self.reg.slug(key))

    def _all_in(self, start: int, end: int) -> list[Mention]:
        return [m for m in self.spans.within(start, end) if m.key]

    def _time(self, start: int, end: int) -> TimeSpan | None:
        for t in find_timexes(self.text[start:end], self.published):
            if t.span is not None:
                return t.span
        return None

    def _topics(self, start: int, end: int) -> list[str]:
        words = self.text[start:end]
        out: list[str] = []
        for rx, label in TOPIC_CUES:
            slug = self.g.topics.get(label.lower())
            if slug and slug not in out and re.search(rf"\b(?:{rx})", words, re.IGNORECASE):
                out.append(slug)
        return out

    def _summary(
        self,
        kind: Kind,
        roles: dict[str, str],
        parties: list[str],
        channel: str | None,
        time: TimeSpan | None,
    ) -> str:
        def name(slug_or_key: str) -> str:
            key = slug_or_key if slug_or_key in self.g.actors else f"new:{slug_or_key}"
            if key not in self.g.actors and key[4:] not in self.reg.new:
                key = slug_or_key
            return self.reg.label(key)

        if kind in DIRECTIONAL_KINDS:
            core = f"{name(roles['sender'])} {_VERB_LIKE[kind]} {name(roles['recipient'])}"
        else:
            labels = [self.reg.label(p) for p in parties]
            core = f"{', '.join(labels[:-1])} and {labels[-1]} {_MUTUAL_PHRASE[kind]}"
        if channel:
            info = self.g.channels.get(channel)
            core += f" ({info.label if info else self.channels.items[channel].label})"
        if time and time.expression:
            core += f", {time.expression}"
        return core + "."
