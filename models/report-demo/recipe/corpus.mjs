// Step 1 of the demo language model's recipe: the training and held-out text, made by Lucent's own
// prompt builder and report templates (src/report/llm/corpus.ts). Run with `node --import tsx`.
// Usage: corpus.mjs WORK_DIR
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sample } from '../../../src/report/llm/corpus.ts';

const work = process.argv[2];
if (!work) throw new Error('usage: corpus.mjs WORK_DIR');
mkdirSync(work, { recursive: true });

/** Training seeds 1…N; held-out seeds start at 1,000,001 so no held-out case was ever trained on. */
const TRAIN = Number(process.env.REPORT_MODEL_SAMPLES ?? 8000);
const HELD_OUT = 120;

const rows = [];
for (let i = 1; i <= TRAIN; i++) {
  // Languages alternate; every third sample asks for placeholders.
  const s = sample(i, i % 2 === 0 ? 'en' : 'zh-CN', i % 3 === 0);
  rows.push(JSON.stringify({ split: 'train', prompt: s.prompt, target: s.target }));
}
for (let i = 0; i < HELD_OUT; i++) {
  const seed = 1_000_001 + i;
  rows.push(JSON.stringify({ split: 'heldout', seed, language: i % 2 === 0 ? 'en' : 'zh-CN' }));
}
writeFileSync(join(work, 'corpus.jsonl'), rows.join('\n') + '\n');
console.log(`corpus: ${TRAIN} training samples, ${HELD_OUT} held-out seeds → ${join(work, 'corpus.jsonl')}`);
