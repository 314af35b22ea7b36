// n8n never loads this file: it finds the nodes and the credential through the "n8n" attribute
// of package.json, which points into dist/. It lets a checkout be required for a quick look at
// what the package declares.
const { n8n } = require('./package.json');

module.exports = { nodes: n8n.nodes, credentials: n8n.credentials };
