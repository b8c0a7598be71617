// Parse a GEXF file with graphology-gexf (the parser of Gephi Lite and sigma.js) and print, as
// JSON on stdout, what it read: graph type, node and edge counts, and every node's and edge's
// attributes. Usage: node read_gexf.js FILE
'use strict';
const fs = require('fs');
const Graph = require('graphology');
const gexf = require('graphology-gexf');

const file = process.argv[2];
if (!file) {
  console.error('usage: node read_gexf.js FILE');
  process.exit(2);
}
const graph = gexf.parse(Graph, fs.readFileSync(file, 'utf8'));
const nodes = {};
graph.forEachNode((key, attributes) => {
  nodes[key] = attributes;
});
const edges = {};
graph.forEachEdge((key, attributes, source, target, _sa, _ta, undirected) => {
  edges[key] = {source, target, undirected, attributes};
});
process.stdout.write(
  JSON.stringify({
    type: graph.type,
    multi: graph.multi,
    order: graph.order,
    size: graph.size,
    nodes,
    edges,
  })
);
