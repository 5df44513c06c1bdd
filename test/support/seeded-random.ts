/** mulberry32: a small seeded PRNG, so randomized fault tests can be replayed from the printed seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The seed from env NAME (decimal), else a fresh one; always printed so a failure can be replayed. */
export function seedFromEnv(name: string): number {
  const raw = process.env[name];
  const seed = raw ? Number(raw) : Math.floor(Math.random() * 2 ** 31);
  console.log(`${name}=${seed}`);
  return seed;
}
