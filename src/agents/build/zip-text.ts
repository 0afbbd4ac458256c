import { inflateRawSync } from 'node:zlib';

/**
 * The first file of a zip (an Actions artifact download), as text. Reads the central directory
 * (local headers may defer sizes to a data descriptor); stored and deflated entries only, which
 * is what artifact zips use. Bounded: refuses entries over `maxBytes`.
 */
export function firstFileText(zip: Buffer, maxBytes = 64 * 1024): string | null {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0 || eocd + 22 > zip.length) return null;
  const entries = zip.readUInt16LE(eocd + 10);
  const centralAt = zip.readUInt32LE(eocd + 16);
  if (entries === 0 || centralAt + 46 > zip.length || zip.readUInt32LE(centralAt) !== 0x02014b50) return null;
  const method = zip.readUInt16LE(centralAt + 10);
  const compressed = zip.readUInt32LE(centralAt + 20);
  const size = zip.readUInt32LE(centralAt + 24);
  const localAt = zip.readUInt32LE(centralAt + 42);
  if (size > maxBytes || localAt + 30 > zip.length || zip.readUInt32LE(localAt) !== 0x04034b50) return null;
  const dataAt = localAt + 30 + zip.readUInt16LE(localAt + 26) + zip.readUInt16LE(localAt + 28);
  const data = zip.subarray(dataAt, dataAt + compressed);
  if (method === 0) return data.toString('utf8');
  if (method === 8) return inflateRawSync(data, { maxOutputLength: maxBytes }).toString('utf8');
  return null;
}
