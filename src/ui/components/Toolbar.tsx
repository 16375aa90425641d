import { useRef, type ChangeEvent, type JSX } from 'react';
import { LANGUAGES, isLanguage } from '../../i18n';
import type { Layout, PresetName, ToolName } from '../../imaging/viewer';
import { findSeries } from '../../store/selectors';
import { useActions, useApp, useAppState } from '../context';
import { useT } from '../hooks/useT';
import { filesFromInput } from '../files';
import { FolderInput } from './FolderInput';

const TOOLS: {
  id: ToolName;
  label: 'tool.windowLevel' | 'tool.zoom' | 'tool.pan' | 'tool.length' | 'tool.ellipse' | 'tool.probe';
  key: string;
}[] = [
  { id: 'windowLevel', label: 'tool.windowLevel', key: 'W' },
  { id: 'zoom', label: 'tool.zoom', key: 'Z' },
  { id: 'pan', label: 'tool.pan', key: 'P' },
  { id: 'length', label: 'tool.length', key: 'L' },
  { id: 'ellipse', label: 'tool.ellipse', key: 'E' },
  { id: 'probe', label: 'tool.probe', key: 'O' },
];

const PRESETS: {
  id: PresetName;
  label: 'preset.lung' | 'preset.mediastinum' | 'preset.bone' | 'preset.brain';
  key: string;
}[] = [
  { id: 'lung', label: 'preset.lung', key: '1' },
  { id: 'mediastinum', label: 'preset.mediastinum', key: '2' },
  { id: 'bone', label: 'preset.bone', key: '3' },
  { id: 'brain', label: 'preset.brain', key: '4' },
];

const LAYOUTS: { id: Layout; label: 'layout.1x1' | 'layout.1x3' | 'layout.2x2'; key: string }[] = [
  { id: '1x1', label: 'layout.1x1', key: 'M' },
  { id: '1x3', label: 'layout.1x3', key: 'M' },
  { id: '2x2', label: 'layout.2x2', key: 'G' },
];

export function Toolbar(props: { onToggleOverlay: () => void; onHelp: () => void }): JSX.Element {
  const t = useT();
  const actions = useActions();
  const { store } = useApp();
  const tool = useAppState((s) => s.tool);
  const preset = useAppState((s) => (s.windowOffPreset ? null : s.preset));
  const layout = useAppState((s) => s.layout);
  const overlay = useAppState((s) => s.overlay);
  const cine = useAppState((s) => s.cine);
  const language = useAppState((s) => s.language);
  const activeSeries = useAppState((s) => findSeries(s, s.activeSeriesKey));
  const folderInput = useRef<HTMLInputElement>(null);
  const hasImage = activeSeries?.kind === 'image';
  const mprReason = activeSeries && !activeSeries.volume.isVolume ? activeSeries.volume.reason : null;

  const onFiles = (e: ChangeEvent<HTMLInputElement>): void => {
    const files = filesFromInput(e.currentTarget.files);
    e.currentTarget.value = '';
    actions.openFiles(files);
  };

  return (
    <div className="toolbar" role="toolbar" aria-label={t('toolbar.label')}>
      <div className="group">
        <label className="button primary file-button">
          {t('toolbar.openFiles')}
          <input
            className="visually-hidden"
            type="file"
            multiple
            aria-label={t('toolbar.openFiles')}
            onChange={onFiles}
          />
        </label>
        <button type="button" className="button" onClick={() => folderInput.current?.click()}>
          {t('toolbar.openFolder')}
        </button>
        <FolderInput inputRef={folderInput} onChange={onFiles} testId="folder-input" />
        <button type="button" className="button" onClick={() => store.setState({ pacsOpen: true })}>
          {t('toolbar.pacs')}
        </button>
      </div>
      <div className="group" role="group" aria-label={t('toolbar.tools')}>
        {TOOLS.map((x) => (
          <button
            key={x.id}
            type="button"
            className="button"
            aria-pressed={tool === x.id}
            disabled={!hasImage}
            title={`${t(x.label)} (${x.key})`}
            onClick={() => actions.setTool(x.id)}
          >
            {t(x.label)}
          </button>
        ))}
      </div>
      <div className="group" role="group" aria-label={t('toolbar.presets')}>
        {PRESETS.map((x) => (
          <button
            key={x.id}
            type="button"
            className="button"
            aria-pressed={preset === x.id}
            disabled={!hasImage}
            title={`${t(x.label)} (${x.key})`}
            onClick={() => actions.applyPreset(x.id)}
          >
            {t(x.label)}
          </button>
        ))}
      </div>
      <div className="group" role="group" aria-label={t('toolbar.layout')}>
        {LAYOUTS.map((x) => {
          const unavailable = x.id === '1x3' && mprReason !== null;
          return (
            <button
              key={x.id}
              type="button"
              className="button"
              aria-pressed={layout === x.id}
              disabled={!hasImage || unavailable}
              title={
                unavailable && mprReason
                  ? t('layout.mprUnavailable', { reason: t(`volume.${mprReason}`) })
                  : `${t(x.label)} (${x.key})`
              }
              onClick={() => actions.setLayout(x.id)}
            >
              {t(x.label)}
            </button>
          );
        })}
      </div>
      <div className="group">
        <button
          type="button"
          className="button"
          aria-pressed={cine}
          disabled={!hasImage}
          title={`${t('toolbar.cine')} (C)`}
          onClick={() => actions.toggleCine()}
        >
          {t('toolbar.cine')}
        </button>
        <button
          type="button"
          className="button"
          disabled={!hasImage}
          title={`${t('toolbar.reset')} (R)`}
          onClick={() => actions.reset()}
        >
          {t('toolbar.reset')}
        </button>
        <button
          type="button"
          className="button"
          aria-pressed={overlay}
          title={`${t('toolbar.overlay')} (I)`}
          onClick={props.onToggleOverlay}
        >
          {t('toolbar.overlay')}
        </button>
      </div>
      <div className="group end">
        <label className="select-label">
          <span className="visually-hidden">{t('toolbar.language')}</span>
          <select
            value={language}
            aria-label={t('toolbar.language')}
            onChange={(e) => {
              const v = e.currentTarget.value;
              if (isLanguage(v)) actions.setLanguage(v);
            }}
          >
            {LANGUAGES.map((l) => (
              <option key={l} value={l}>
                {t(`lang.${l}`)}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          className="button"
          aria-haspopup="dialog"
          title={`${t('toolbar.help')} (?)`}
          onClick={props.onHelp}
        >
          ?<span className="visually-hidden">{t('toolbar.help')}</span>
        </button>
      </div>
    </div>
  );
}
