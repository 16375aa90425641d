// The demo language model's evaluation (`npm run eval:report-model`, run with `node --import tsx`):
// held-out cases (seeds training never saw), each drafted in every decoding mode, and every draft read by
// the grounding check (src/report/ground). Prints a table and writes models/report-demo/eval.json.
//
// Per mode: the grounded-sentence rate (sentences with no problem / all sentences), drafts with every
// sentence grounded, sizes stated that no finding has (thresholds aside), placeholders left unfilled, tokens and tokens/s.
// Environment: REPORT_EVAL_CASES (cases per language, default 12).
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openLlm } from '../../../src/cli/llm.ts';
import { ground } from '../../../src/report/ground/index.ts';
import { sample } from '../../../src/report/llm/corpus.ts';
import { DECODE_MODES } from '../../../src/report/llm/types.ts';

const modelDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const perLanguage = Number(process.env.REPORT_EVAL_CASES ?? 12);

/** Held-out cases with at least one finding (seeds from 1,000,001, as corpus.mjs holds them out). */
const cases = [];
for (const language of ['en', 'zh-CN']) {
  let n = 0;
  for (let seed = 1_000_001; n < perLanguage; seed++) {
    const s = sample(seed, language, false);
    if (s.facts.findings.length === 0) continue;
    cases.push(s.facts);
    n++;
  }
}

function sizeTexts(facts) {
  const out = new Set();
  for (const f of facts.findings)
    for (const v of [f.meanDiameterMm, f.longAxisMm, f.shortAxisMm, f.solidComponentMm])
      if (typeof v === 'number')
        out
          .add(v.toFixed(1))
          .add(String(Math.round(v)))
          .add((v / 10).toFixed(1));
  return out;
}

const model = await openLlm(modelDir, { allowRemote: false });
const rows = [];
const examples = {};
for (const mode of DECODE_MODES) {
  const r = {
    mode,
    drafts: 0,
    sentences: 0,
    grounded: 0,
    allGrounded: 0,
    inventedSizes: 0,
    problems: {},
    unknownPlaceholders: 0,
    tokens: 0,
    decodeMs: 0,
    deadEnds: 0,
  };
  for (const facts of cases) {
    const d = await model.draft(facts, { mode });
    const g = ground(d.text, facts.findings, facts.language, { caseCategory: facts.overall.category });
    const sizes = sizeTexts(facts);
    r.drafts++;
    r.sentences += g.sentences.length;
    r.grounded += g.sentences.filter((s) => s.grounded).length;
    if (g.grounded) r.allGrounded++;
    for (const s of g.sentences)
      for (const p of s.problems) r.problems[p.kind] = (r.problems[p.kind] ?? 0) + 1;
    // A size with its unit; a threshold ("≥ 8 mm" of the management text) is the guideline's, not a size.
    for (const m of d.text.matchAll(/([≥≤<>]\s*)?(\d+(?:\.\d+)?)\s*(?:mm|cm|毫米|厘米)/g))
      if (!m[1] && !sizes.has(m[2])) r.inventedSizes++;
    r.unknownPlaceholders += d.unknownPlaceholders.length;
    r.tokens += d.tokens;
    r.decodeMs += d.decodeMs;
    r.deadEnds += d.deadEnds;
    if (!examples[mode]) examples[mode] = { facts, text: d.text, grounding: g };
  }
  rows.push({
    ...r,
    groundedSentenceRate: r.sentences ? Number((r.grounded / r.sentences).toFixed(3)) : 0,
    tokensPerSecond: r.decodeMs ? Number(((r.tokens / r.decodeMs) * 1000).toFixed(1)) : 0,
    decodeMs: Math.round(r.decodeMs),
  });
  const last = rows[rows.length - 1];
  console.log(
    `${mode.padEnd(13)} grounded sentences ${last.grounded}/${last.sentences} (${last.groundedSentenceRate}), ` +
      `all grounded ${last.allGrounded}/${last.drafts}, invented sizes ${last.inventedSizes}, ` +
      `problems ${JSON.stringify(last.problems)}, ${last.tokensPerSecond} tokens/s`,
  );
}
await model.dispose();
const out = {
  schema: 'lucent.llm-eval/1',
  model: { id: model.info.id, version: model.info.version, sha256: model.info.sha256 },
  cases: { perLanguage, languages: ['en', 'zh-CN'], seeds: 'held out, from 1000001, at least one finding' },
  rows,
  examples,
};
writeFileSync(join(modelDir, 'eval.json'), JSON.stringify(out, null, 2) + '\n');
console.log(`written ${join(modelDir, 'eval.json')}`);
