// The query page: YASGUI wired to this server's /sparql, the named queries opening as example tabs.
// Everything it loads comes from this server; the page's Content-Security-Policy enforces that.
"use strict";

(function () {
  const config = JSON.parse(document.getElementById("kg-config").textContent);
  const examples = config.examples;
  // Absolute, because YASQE builds GET URLs with `new URL(endpoint)`.
  const endpoint = new URL(config.endpoint, window.location.href).href;

  // The "property" and "class" autocompleters ask lov.linkeddata.es for terms; on a closed
  // network (and under our CSP) that request fails, so they are dropped before the editor starts.
  // The "prefixes" completer stays: in this bundle it uses its built-in list unless prefixCcApi is set.
  const Yasqe = Yasgui.Yasqe;
  for (const name of ["property", "class"]) delete Yasqe.Autocompleters[name];
  const completers = Yasqe.defaults.autocompleters;
  completers.splice(0, completers.length, ...completers.filter((name) => name in Yasqe.Autocompleters));

  const yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: endpoint, method: "POST" },
    copyEndpointOnNewTab: true,
    endpointCatalogueOptions: { getData: () => [{ endpoint: endpoint }] },
    // Saved tabs are keyed by the catalogue's digest, so a changed catalogue brings fresh examples
    // instead of stale saved copies.
    persistenceId: "backchannel-kg-" + config.catalogue,
    // A shared link may name any endpoint; queries from this page go to this server only.
    populateFromUrl: (tab) => {
      tab.requestConfig.endpoint = endpoint;
      return tab;
    },
    autoAddOnInit: false,
    yasqe: { prefixCcApi: null },
    // the project prefixes shorten IRIs in the result table (actor:iran), declared or not
    yasr: { prefixes: config.prefixes },
  });

  function findTab(name) {
    return Object.values(yasgui._tabs).find((tab) => tab.getName() === name);
  }

  function openExample(example, active) {
    const open = findTab(example.name);
    if (open) {
      if (active) yasgui.selectTabId(open.getId());
      return open;
    }
    return yasgui.addTab(active, {
      name: example.name,
      yasqe: { value: example.query },
      requestConfig: { endpoint: endpoint },
    });
  }

  // A first visit (nothing saved) opens the first example; the others open from the list.
  if (yasgui.persistentConfig.getTabs().length === 0) {
    if (examples.length) openExample(examples[0], true);
    else yasgui.addTab(true);
  }

  for (const button of document.querySelectorAll("button[data-example]")) {
    const example = examples.find((e) => e.name === button.dataset.example);
    if (example) button.addEventListener("click", () => openExample(example, true));
  }

  window.kgYasgui = yasgui; // for the browser console and the end-to-end test
})();
