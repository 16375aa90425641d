// Step 3 of the demo language model's recipe: token ids for training, made by the tokenizer Lucent runs
// (transformers.js loading tokenizer.json and applying the chat template), so that training sees
// exactly what generation will see.
// Usage: node encode.mjs WORK_DIR MODEL_DIR
// Writes WORK_DIR/tokens.bin (uint16 ids, samples back to back) and WORK_DIR/tokens.json (per sample:
// offset, length, and where the answer starts).
import { readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { AutoTokenizer, env } from '@huggingface/transformers';

const [work, modelDir] = process.argv.slice(2);
if (!work || !modelDir) throw new Error('usage: encode.mjs WORK_DIR MODEL_DIR');
env.allowRemoteModels = false;
env.useFSCache = false;

const tokenizer = await AutoTokenizer.from_pretrained(resolve(modelDir));
const eos = tokenizer.eos_token_id;
const ids = [];
const index = [];
let promptTokens = 0;
let answerTokens = 0;
for (const line of readFileSync(join(work, 'corpus.jsonl'), 'utf8').split('\n')) {
  if (!line) continue;
  const row = JSON.parse(line);
  if (row.split !== 'train') continue;
  const prompt = tokenizer.apply_chat_template([{ role: 'user', content: row.prompt }], {
    tokenize: false,
    add_generation_prompt: true,
  });
  const p = tokenizer.encode(prompt, { add_special_tokens: false });
  const a = tokenizer.encode(row.target, { add_special_tokens: false });
  // The decoded answer must give back the text: a tokenizer that loses characters would teach the
  // model text it can never write.
  const back = tokenizer.decode(a);
  if (back !== row.target) throw new Error(`tokenizer round trip failed:\n${row.target}\n${back}`);
  index.push([ids.length, p.length + a.length + 1, p.length]);
  ids.push(...p, ...a, eos);
  promptTokens += p.length;
  answerTokens += a.length + 1;
}
writeFileSync(join(work, 'tokens.bin'), Buffer.from(new Uint16Array(ids).buffer));
writeFileSync(join(work, 'tokens.json'), JSON.stringify({ samples: index }));
const n = index.length;
console.log(
  `encode: ${n} samples, ${ids.length} tokens (prompt ${Math.round(promptTokens / n)}, answer ${Math.round(answerTokens / n)} per sample on average), longest ${Math.max(...index.map((r) => r[1]))}`,
);
