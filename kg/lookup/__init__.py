"""Lookups behind the REST API: actors by any name, an actor's claims, claims, documents, channels.

Each module answers one kind of question with a few SPARQL queries through the ``GraphStore``
interface (so every backend serves them) and returns the pydantic models of ``models``, which
the HTTP layer also uses as its response models. Client values reach queries only as typed terms
(``params``, ``ids``). Actors are named through a cached, normalised index of all their labels
(``names``); ``jsonld`` maps the answers onto the ontology.
"""
