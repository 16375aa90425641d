import type { JSX } from 'react';
import { useLlmModel } from '../hooks/useLlmModel';
import { useNumber, useT } from '../hooks/useT';

/**
 * The model card's part on the report's language model: which model (name, id and version, the folder's
 * own name, never a path), its size, whether it is the demo model or the reader's own, how it decodes and
 * where it runs, and the folder's own card when it has one.
 */
export function LlmModelCard(): JSX.Element {
  const t = useT();
  const num = useNumber();
  const { choice, loaded, constrained } = useLlmModel();
  const info = loaded?.info ?? null;
  const bytes = choice.kind === 'picked' ? choice.bytes : (info?.bytes ?? null);
  const later = t('card.llm.notLoaded');
  const rows: [string, string][] = [
    [t('card.llm.name'), info?.name ?? later],
    [t('card.llm.version'), info ? `${info.id}${info.version ? ` ${info.version}` : ''}` : later],
    [t('card.llm.folder'), choice.folder],
    [t('card.llm.source'), t(choice.kind === 'demo' ? 'report.llm.source.demo' : 'report.llm.source.picked')],
    [t('card.llm.size'), bytes !== null ? t('report.llm.megabytes', { size: num(bytes / 1e6) }) : later],
    [t('card.llm.decoding'), t(constrained ? 'report.llm.constrained' : 'card.llm.free')],
    [
      t('card.llm.device'),
      loaded ? t(loaded.device === 'webgpu' ? 'ai.provider.webgpu' : 'card.llm.wasm') : later,
    ],
    ...(info?.sha256 ? [[t('card.llm.sha256'), `${info.sha256.slice(0, 16)}…`] as [string, string]] : []),
  ];
  return (
    <section aria-labelledby="card-llm-title">
      <h3 id="card-llm-title">{t('card.llm.title')}</h3>
      <table className="keys">
        <tbody>
          {rows.map(([k, v]) => (
            <tr key={k}>
              <td>{k}</td>
              <td>{v}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {info?.card ? (
        <details>
          <summary>{t('card.llm.card')}</summary>
          <pre className="model-card-text">{info.card}</pre>
        </details>
      ) : null}
    </section>
  );
}
