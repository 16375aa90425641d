import { useRef, type ChangeEvent, type JSX } from 'react';
import type { OpenFile } from '../context';
import { useActions, useAppState } from '../context';
import { filesFromInput } from '../files';
import { useT } from '../hooks/useT';
import { FolderInput } from '../components/FolderInput';

interface DirectoryHandleLike {
  readonly kind: 'directory' | 'file';
  readonly name: string;
  values(): AsyncIterable<DirectoryHandleLike & { getFile?(): Promise<File> }>;
}

/** Files of a folder picked with the File System Access API, with paths relative to it. */
async function walk(dir: DirectoryHandleLike, prefix: string, out: OpenFile[]): Promise<void> {
  for await (const entry of dir.values()) {
    if (entry.kind === 'file' && entry.getFile)
      out.push({ file: await entry.getFile(), name: `${prefix}${entry.name}` });
    else if (entry.kind === 'directory' && prefix.split('/').length < 4)
      await walk(entry, `${prefix}${entry.name}/`, out);
  }
}

/**
 * Which model Run AI uses: the app's own, or one the user loads from a folder on this device (File System
 * Access API where the browser has it, a folder input otherwise).
 */
export function ModelPicker(): JSX.Element {
  const t = useT();
  const actions = useActions();
  const installed = useAppState((s) => s.models);
  const models = installed ?? [];
  const selected = useAppState((s) => s.selectedModel);
  const error = useAppState((s) => s.modelFolderError);
  const input = useRef<HTMLInputElement | null>(null);

  const pick = async (): Promise<void> => {
    const picker = (window as unknown as { showDirectoryPicker?: () => Promise<DirectoryHandleLike> })
      .showDirectoryPicker;
    if (!picker) {
      input.current?.click();
      return;
    }
    try {
      const dir = await picker();
      const files: OpenFile[] = [];
      await walk(dir, '', files);
      await actions.loadModelFolder(files);
    } catch {
      // The user closed the picker, or the API is blocked: offer the folder input instead.
      input.current?.click();
    }
  };
  const onInput = (e: ChangeEvent<HTMLInputElement>): void => {
    const files = filesFromInput(e.currentTarget.files);
    e.currentTarget.value = '';
    void actions.loadModelFolder(files);
  };

  return (
    <div className="model-picker">
      <label className="field-inline">
        <span>{t('ai.model')}</span>
        <select value={selected ?? ''} onChange={(e) => actions.selectModel(e.target.value || null)}>
          <option value="">{t('ai.modelAuto')}</option>
          {models.map((m) => (
            <option key={m.dir} value={m.dir}>
              {m.manifest.id} {m.manifest.version}
              {m.origin === 'folder' ? ` (${t('ai.fromFolder')})` : ''}
            </option>
          ))}
        </select>
      </label>
      <button type="button" className="button small" onClick={() => void pick()}>
        {t('ai.loadFolder')}
      </button>
      <FolderInput
        inputRef={input}
        onChange={onInput}
        testId="model-folder-input"
        label={t('ai.folderInput')}
      />
      {error ? (
        <p className="error" role="alert">
          {t(error.key, error.params)}
        </p>
      ) : null}
    </div>
  );
}
