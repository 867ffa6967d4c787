// `npm run build:wasm`: compiles scan.wat into scan.wasm with wabt (a pinned devDependency). The binary is
// committed, so running kms-drift needs no compiler; test/sources/fast-scan.test.ts compiles the source again and
// checks that the committed binary is the same, byte for byte.
import { writeFileSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const WAT = new URL('./scan.wat', import.meta.url);
export const WASM = new URL('./scan.wasm', import.meta.url);

export async function compileScanner(): Promise<Uint8Array> {
  const { default: init } = await import('wabt');
  const wabt = await init();
  const module = wabt.parseWat('scan.wat', readFileSync(WAT, 'utf8'), { simd: true });
  try {
    module.validate();
    return module.toBinary({}).buffer;
  } finally {
    module.destroy();
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(WASM, await compileScanner());
  process.stdout.write(`wrote ${fileURLToPath(WASM)}\n`);
}
