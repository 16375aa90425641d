/**
 * An OpenAI-compatible chat endpoint (Ollama, llama.cpp's server, LM Studio) as a language model. Off by
 * default; a loopback address (this computer) only, unless the caller passes an explicit permission for
 * another host, which the UI then names. The prompt carries findings and technique only. Constrained
 * decoding needs the model's logits, which such an endpoint does not expose: it runs free or with
 * placeholders, and the grounding check reads what comes back.
 */
import { messageOf } from '../../lib/errors';
import type { DraftFacts } from './facts';
import { fillPlaceholders } from './placeholders';
import { buildMessages } from './prompt';
import { LlmError, type DraftRequest, type LlmDraft, type LlmModelInfo } from './types';

/** Whether a host name is this computer: localhost, 127.0.0.0/8, ::1. */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/**
 * The endpoint's base URL (ending in /v1/). Refuses anything but http(s), credentials in the URL, and
 * a host that is not loopback unless `allowRemote` is given.
 */
export function endpointUrl(raw: string, allowRemote: boolean): URL {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new LlmError(
      'llm-endpoint',
      `"${raw.slice(0, 80)}" is not a URL (for example http://127.0.0.1:11434).`,
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new LlmError('llm-endpoint', `A language-model endpoint is http or https, not ${url.protocol}`);
  if (url.username || url.password)
    throw new LlmError(
      'llm-endpoint',
      'A language-model endpoint URL may not carry a user name or password.',
    );
  if (!isLoopbackHost(url.hostname) && !allowRemote)
    throw new LlmError(
      'llm-endpoint-not-allowed',
      `${url.host} is not this computer. Findings would leave the device: allow that host explicitly first.`,
    );
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname = `${/\/v1$/.test(path) ? path : `${path}/v1`}/`;
  url.search = '';
  url.hash = '';
  return url;
}

type Fetch = typeof fetch;

interface ChunkJson {
  readonly choices?: readonly { readonly delta?: { readonly content?: string | null } }[];
}

export class EndpointModel {
  private constructor(
    private readonly base: URL,
    private readonly model: string,
    private readonly fetcher: Fetch,
    readonly info: LlmModelInfo,
  ) {}

  /** Asks the endpoint which models it serves and takes the one named, or the first. */
  static async connect(
    raw: string,
    options: { allowRemote: boolean; model?: string; fetch?: Fetch },
  ): Promise<EndpointModel> {
    const base = endpointUrl(raw, options.allowRemote);
    const fetcher = options.fetch ?? ((input, init) => fetch(input, init));
    let ids: string[];
    try {
      const res = await fetcher(new URL('models', base), { headers: { accept: 'application/json' } });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      const body = (await res.json()) as { data?: readonly { id?: unknown }[] };
      ids = (body.data ?? []).map((m) => m.id).filter((id): id is string => typeof id === 'string');
    } catch (e) {
      throw new LlmError(
        'llm-endpoint',
        `The endpoint ${base.origin} did not list its models: ${messageOf(e)}`,
      );
    }
    const model = options.model ?? ids[0];
    if (!model) throw new LlmError('llm-endpoint', `The endpoint ${base.origin} serves no model.`);
    const info: LlmModelInfo = {
      kind: 'endpoint',
      id: model,
      name: model,
      version: null,
      architecture: null,
      file: null,
      bytes: null,
      sha256: null,
      dtype: null,
      demo: false,
      endpoint: base.origin,
      card: null,
    };
    return new EndpointModel(base, model, fetcher, info);
  }

  async draft(facts: DraftFacts, request: DraftRequest): Promise<LlmDraft> {
    if (request.mode === 'values' || request.mode === 'scoped')
      throw new LlmError(
        'llm-generate',
        'Constrained decoding needs a local model (an endpoint does not expose its logits): use free or placeholders.',
      );
    const placeholders = request.mode === 'placeholders';
    const t0 = performance.now();
    let res: Response;
    try {
      res = await this.fetcher(new URL('chat/completions', this.base), {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'text/event-stream' },
        body: JSON.stringify({
          model: this.model,
          messages: buildMessages(facts, placeholders),
          stream: true,
          temperature: 0,
          max_tokens: request.maxNewTokens ?? 700,
        }),
        ...(request.signal ? { signal: request.signal } : {}),
      });
    } catch (e) {
      if (request.signal?.aborted) return this.result('', facts, request, t0, t0, 0, 'cancelled');
      throw new LlmError('llm-endpoint', `The endpoint ${this.base.origin} did not answer: ${messageOf(e)}`);
    }
    if (!res.ok || !res.body)
      throw new LlmError('llm-endpoint', `The endpoint ${this.base.origin} answered HTTP ${res.status}.`);
    let raw = '';
    let chunks = 0;
    let first = 0;
    let buffer = '';
    const decoder = new TextDecoder();
    const reader = res.body.getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true });
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl).trim();
          buffer = buffer.slice(nl + 1);
          if (!line.startsWith('data:')) continue;
          const data = line.slice(5).trim();
          if (data === '[DONE]') continue;
          const piece = (JSON.parse(data) as ChunkJson).choices?.[0]?.delta?.content ?? '';
          if (!piece) continue;
          if (first === 0) first = performance.now();
          raw += piece;
          chunks++;
          request.onText?.(placeholders ? fillPlaceholders(raw, facts).text : raw);
        }
      }
    } catch (e) {
      if (!request.signal?.aborted)
        throw new LlmError('llm-endpoint', `The endpoint's answer broke off: ${messageOf(e)}`);
    }
    return this.result(raw, facts, request, t0, first, chunks, request.signal?.aborted ? 'cancelled' : 'end');
  }

  private result(
    raw: string,
    facts: DraftFacts,
    request: DraftRequest,
    t0: number,
    first: number,
    chunks: number,
    stopped: LlmDraft['stopped'],
  ): LlmDraft {
    const end = performance.now();
    const filled =
      request.mode === 'placeholders' ? fillPlaceholders(raw, facts) : { text: raw, unknown: [] as string[] };
    return {
      text: filled.text.trim(),
      raw,
      mode: request.mode,
      tokens: chunks,
      prefillMs: (first || end) - t0,
      decodeMs: first ? end - first : 0,
      stopped,
      unknownPlaceholders: filled.unknown,
      deadEnds: 0,
    };
  }

  dispose(): Promise<void> {
    return Promise.resolve();
  }
}
