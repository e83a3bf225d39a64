// Starts oauth2-mock-server (the npm package pinned in bench/package.json) for bench/issuer.sh.
// Usage: node oauth2_mock_server.mjs ALG PORT   (ALG: RS256 or ES256)
// Prints one JSON ready line {"ready":true,"url":...,"alg":...,"version":...}; stops on SIGTERM.
import { OAuth2Server } from 'oauth2-mock-server';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

const [alg = 'RS256', portArg = '0'] = process.argv.slice(2);
const require = createRequire(import.meta.url);
const pkgDir = path.dirname(path.dirname(require.resolve('oauth2-mock-server')));
let version = 'unknown';
for (const dir of [pkgDir, path.dirname(pkgDir)]) {
  try { version = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')).version; break; } catch {}
}
const server = new OAuth2Server();
await server.issuer.keys.generate(alg);
await server.start(Number(portArg), '127.0.0.1');
const { port } = server.address();
console.log(JSON.stringify({ ready: true, url: `http://127.0.0.1:${port}`, alg, version }));
const stop = async () => { try { await server.stop(); } finally { process.exit(0); } };
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
