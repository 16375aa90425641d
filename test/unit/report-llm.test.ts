// The demo language model, committed in models/report-demo, run the way the CLI runs it: transformers.js
// on onnxruntime-node. Constrained decoding must keep every value in the text one of the findings'; the
// same model without the constraint writes sizes the findings do not have, and the grounding check must
// flag each of those sentences.
import { createHash } from 'node:crypto';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { draftWithLlm } from '../../src/cli/llm';
import { diskFolder, factsFromSeries, openLlm } from '../../src/cli/llm';
import { main } from '../../src/cli/main';
import { ground } from '../../src/report/ground';
import { sample } from '../../src/report/llm/corpus';
import type { DraftFacts } from '../../src/report/llm/facts';
import { describeFolder } from '../../src/report/llm/folder';
import { LocalModel } from '../../src/report/llm/local';
import { buildMessages } from '../../src/report/llm/prompt';
import type { LlmDraft } from '../../src/report/llm/types';

const DIR = 'models/report-demo';
/** Enough for the findings section of a case; the unit tests need no more. */
const MAX_TOKENS = 240;
const SLOW = 180_000;
/** Held-out cases (training used seeds 1…N), with at least one finding, both languages. */
const CASES: DraftFacts[] = [];
for (let seed = 1_000_001; CASES.length < 6; seed++) {
  const s = sample(seed, CASES.length % 2 === 0 ? 'en' : 'zh-CN', false);
  if (s.facts.findings.length > 0) CASES.push(s.facts);
}

/** The ways a size of the findings may be written: 10.9 mm as "10.9", "11" or (cm) "1.1". */
function sizeTexts(facts: DraftFacts): Set<string> {
  const out = new Set<string>();
  for (const f of facts.findings)
    for (const v of [f.meanDiameterMm, f.longAxisMm, f.shortAxisMm, f.solidComponentMm ?? NaN])
      if (Number.isFinite(v))
        out
          .add(v.toFixed(1))
          .add(String(Math.round(v)))
          .add((v / 10).toFixed(1));
  return out;
}

/**
 * Every number the text states, with the unit after it ("" when none, and for a threshold such as the
 * management's "≥ 8 mm", which is the guideline's, not a size).
 */
function numbers(text: string): { value: string; unit: string; at: number }[] {
  return [...text.matchAll(/([≥≤<>]\s*)?(\d+(?:\.\d+)?)\s*(mm|cm|毫米|厘米)?/g)].map((m) => ({
    value: m[2] ?? '',
    unit: m[1] ? '' : (m[3] ?? ''),
    at: (m.index ?? 0) + (m[1]?.length ?? 0),
  }));
}

/** Numbers a text may state besides sizes: the count, item numbers, categories, management's numbers. */
function otherNumbers(facts: DraftFacts): Set<string> {
  const out = new Set<string>();
  for (let i = 0; i <= facts.findings.length; i++) out.add(String(i));
  for (const c of [facts.overall.category, ...facts.findings.map((f) => f.lungRads)])
    out.add(c.replace(/[A-Z]+$/, ''));
  for (const m of facts.overall.management.matchAll(/\d+(?:\.\d+)?/g)) out.add(m[0]);
  return out;
}

const SIDES = { en: /\b(right|left)\b/g, 'zh-CN': /([右左])/g } as const;
const sideOf = (w: string): string => (w === '右' ? 'right' : w === '左' ? 'left' : w);

let model: LocalModel;
const drafts = new Map<string, LlmDraft>();
async function draft(facts: DraftFacts, mode: 'free' | 'scoped'): Promise<LlmDraft> {
  const key = `${mode}:${CASES.indexOf(facts)}`;
  const done = drafts.get(key);
  if (done) return done;
  const d = await model.draft(facts, { mode, maxNewTokens: MAX_TOKENS });
  drafts.set(key, d);
  return d;
}

beforeAll(async () => {
  const opened = await openLlm(DIR, { allowRemote: false });
  if (!(opened instanceof LocalModel)) throw new Error('a folder must open as a local model');
  model = opened;
});
afterAll(async () => {
  await model.dispose();
});

describe('the demo model folder', () => {
  it('loads with its card, and every file matches the manifest', async () => {
    const manifest = JSON.parse(await readFile(join(DIR, 'manifest.json'), 'utf8')) as {
      files: Record<string, { sha256: string }>;
    };
    const onnx = await readFile(join(DIR, 'onnx/model.onnx'));
    expect(model.info.sha256).toBe(createHash('sha256').update(onnx).digest('hex'));
    expect(model.info.sha256).toBe(manifest.files['onnx/model.onnx']?.sha256);
    expect(model.info).toMatchObject({ kind: 'local', demo: true, architecture: 'llama' });
    expect(model.info.card).toMatch(/demo/i);
  });

  it('refuses a folder whose file no longer matches its manifest', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'lucent-llm-'));
    try {
      await cp(DIR, dir, { recursive: true });
      const path = join(dir, 'tokenizer.json');
      const bytes = await readFile(path);
      bytes[bytes.length - 2] ^= 1;
      await writeFile(path, bytes);
      await expect(describeFolder(diskFolder(dir))).rejects.toMatchObject({ code: 'llm-checksum' });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('constrained decoding on the demo model', () => {
  it.each(CASES.map((facts, i) => [i, facts] as const))(
    'case %i: every size, side and category is one of the findings’',
    async (_i, facts) => {
      const d = await draft(facts, 'scoped');
      expect(d.tokens).toBeGreaterThan(20);
      const sizes = sizeTexts(facts);
      const others = otherNumbers(facts);
      for (const n of numbers(d.text)) {
        if (n.unit) expect(sizes, `${n.value} ${n.unit} in ${d.text}`).toContain(n.value);
        else expect(new Set([...sizes, ...others]), `${n.value} in ${d.text}`).toContain(n.value);
      }
      const sides = new Set(facts.findings.flatMap((f) => (f.location ? [f.location.side] : [])));
      for (const m of d.text.matchAll(SIDES[facts.language])) expect(sides).toContain(sideOf(m[1] ?? ''));
      const categories = new Set([facts.overall.category, ...facts.findings.map((f) => f.lungRads)]);
      for (const m of d.text.matchAll(/Lung-RADS\s*([0-9][A-Z]?)/g)) expect(categories).toContain(m[1]);
    },
    SLOW,
  );
});

describe('free decoding on the demo model', () => {
  it(
    'writes sizes the findings do not have, and the grounding check flags every such sentence',
    async () => {
      let invented = 0;
      for (const facts of CASES) {
        const d = await draft(facts, 'free');
        const sizes = sizeTexts(facts);
        const g = ground(d.text, facts.findings, facts.language, { caseCategory: facts.overall.category });
        for (const n of numbers(d.text)) {
          if (!n.unit || sizes.has(n.value)) continue;
          invented++;
          const sentence = g.sentences.find((s) => n.at >= s.start && n.at < s.end);
          expect(sentence, `"${n.value} ${n.unit}" in ${d.text}`).toBeDefined();
          expect(sentence?.grounded).toBe(false);
          expect(sentence?.problems.map((p) => p.kind)).toContain('size');
        }
      }
      expect(invented).toBeGreaterThan(0);
    },
    SLOW,
  );
});

describe('streaming and cancel', () => {
  it('streams the text as it grows and stops when cancelled', async () => {
    const controller = new AbortController();
    const seen: string[] = [];
    const d = await model.draft(CASES[0], {
      mode: 'scoped',
      signal: controller.signal,
      onText: (t) => {
        seen.push(t);
        if (seen.length === 12) controller.abort();
      },
    });
    expect(d.stopped).toBe('cancelled');
    expect(d.tokens).toBeLessThan(20);
    expect(seen.length).toBeGreaterThanOrEqual(12);
    for (let i = 1; i < seen.length; i++) expect(seen[i].startsWith(seen[i - 1])).toBe(true);
    expect(d.text.length).toBeGreaterThan(0);
  });
});

describe('lucent draft --llm', () => {
  it('drafts the analysed series with the model, prints the model and the grounding', async () => {
    const facts = CASES[0];
    const analysis = {
      schema: 'lucent.analysis/1',
      series: [
        {
          studyInstanceUID: '1.2.3',
          seriesInstanceUID: '1.2.3.4',
          modality: 'CT',
          model: { id: 'lung-nodule-ct', version: '1', sha256: 'x' },
          skipped: null,
          findings: facts.findings.map((f) => ({ ...f, score: 0.9, differentials: [] })),
          lungRads: facts.overall,
        },
      ],
      errors: [],
    };
    const dir = await mkdtemp(join(tmpdir(), 'lucent-draft-'));
    try {
      const file = join(dir, 'a.json');
      await writeFile(file, JSON.stringify(analysis));
      let stdout = '';
      let stderr = '';
      const io = { stdout: (t: string) => void (stdout += t), stderr: (t: string) => void (stderr += t) };
      const argv = ['draft', '--analysis', file, '--llm', DIR, '--lang', 'en', '--max-new-tokens', '60'];
      expect(await main(argv, io), stderr).toBe(0);
      const out = JSON.parse(stdout) as Awaited<ReturnType<typeof draftWithLlm>>;
      expect(out.schema).toBe('lucent.draft/1');
      expect(out.model).toMatchObject({ kind: 'local', id: 'report-demo', demo: true, mode: 'scoped' });
      expect(out.model.tokens).toBeGreaterThan(0);
      expect(out.model.tokens).toBeLessThanOrEqual(60);
      expect(out.grounding.schema).toBe('lucent.grounding/1');
      for (const s of out.grounding.sentences) expect(out.text.slice(s.start, s.end)).toBe(s.text);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('the prompt', () => {
  it('carries the findings and never what else the analysis holds', () => {
    const facts = CASES[0];
    const series = {
      seriesInstanceUID: '1.2.840.99.7',
      description: 'DOE^JANE chest',
      findings: facts.findings.map((f) => ({
        ...f,
        patientName: 'DOE^JANE',
        sopInstanceUID: '1.2.840.99.8',
      })),
      lungRads: facts.overall,
    };
    const prompt = buildMessages(factsFromSeries(series, 'en'))
      .map((m) => m.content)
      .join('\n');
    for (const f of facts.findings) expect(prompt).toContain(f.longAxisMm.toFixed(1));
    expect(prompt).not.toMatch(/DOE|JANE|1\.2\.840/);
  });
});
