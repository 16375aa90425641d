/**
 * The reading keyboard map: one table drives both the key handler and the help dialog.
 */
import type { MessageKey } from '../i18n';
import type { Actions } from './context';
import type { AppState } from '../store';

export interface Shortcut {
  /** Keys as shown in the help dialog. */
  readonly keys: readonly string[];
  readonly help: MessageKey;
  /** `KeyboardEvent.key` values that trigger it (case-insensitive for letters). */
  readonly match: readonly string[];
  readonly run: (actions: Actions, state: AppState, ui: UiToggles) => void;
}

export interface UiToggles {
  toggleHelp(): void;
  toggleOverlay(): void;
}

function stepSeries(actions: Actions, state: AppState, delta: number): void {
  const keys = state.studies.flatMap((s) => s.series).map((s) => s.key);
  const i = keys.indexOf(state.activeSeriesKey ?? '');
  const next = keys[Math.min(keys.length - 1, Math.max(0, i + delta))];
  if (next) actions.selectSeries(next);
}

export const SHORTCUTS: readonly Shortcut[] = [
  { keys: ['↑', '↓'], help: 'help.slice', match: ['ArrowUp', 'ArrowDown'], run: () => undefined },
  { keys: ['PgUp', 'PgDn'], help: 'help.page', match: ['PageUp', 'PageDown'], run: () => undefined },
  { keys: ['W'], help: 'help.windowLevel', match: ['w'], run: (a) => a.setTool('windowLevel') },
  { keys: ['Z'], help: 'help.zoom', match: ['z'], run: (a) => a.setTool('zoom') },
  { keys: ['P'], help: 'help.pan', match: ['p'], run: (a) => a.setTool('pan') },
  { keys: ['L'], help: 'help.length', match: ['l'], run: (a) => a.setTool('length') },
  { keys: ['E'], help: 'help.ellipse', match: ['e'], run: (a) => a.setTool('ellipse') },
  { keys: ['O'], help: 'help.probe', match: ['o'], run: (a) => a.setTool('probe') },
  { keys: ['R'], help: 'help.reset', match: ['r'], run: (a) => a.reset() },
  {
    keys: ['1', '2', '3', '4'],
    help: 'help.presets',
    match: ['1', '2', '3', '4'],
    run: () => undefined,
  },
  {
    keys: ['M'],
    help: 'help.mpr',
    match: ['m'],
    run: (a, s) => a.setLayout(s.layout === '1x3' ? '1x1' : '1x3'),
  },
  {
    keys: ['G'],
    help: 'help.layout4',
    match: ['g'],
    run: (a, s) => a.setLayout(s.layout === '2x2' ? '1x1' : '2x2'),
  },
  { keys: ['C'], help: 'help.cine', match: ['c'], run: (a) => a.toggleCine() },
  { keys: ['I'], help: 'help.overlay', match: ['i'], run: (_a, _s, ui) => ui.toggleOverlay() },
  { keys: ['[', ']'], help: 'help.seriesNav', match: ['[', ']'], run: () => undefined },
  { keys: ['N', 'B'], help: 'help.nextFinding', match: ['n', 'b'], run: () => undefined },
  {
    keys: ['Enter'],
    help: 'help.accept',
    match: ['Enter'],
    run: (a: Actions, s: AppState): void => {
      if (s.selectedFinding) a.setFindingStatus(s.selectedFinding, 'accepted');
    },
  },
  {
    keys: ['Del'],
    help: 'help.reject',
    match: ['Delete', 'Backspace'],
    run: (a: Actions, s: AppState): void => {
      if (s.selectedFinding) a.setFindingStatus(s.selectedFinding, 'rejected');
    },
  },
  { keys: ['H'], help: 'help.heatmap', match: ['h'], run: (a) => a.toggleHeatmap() },
  { keys: ['Shift+L'], help: 'help.remeasure', match: [], run: () => undefined },
  { keys: ['A'], help: 'help.aiMarks', match: ['a'], run: (a) => a.toggleAiMarks() },
  { keys: ['?'], help: 'help.help', match: ['?'], run: (_a, _s, ui) => ui.toggleHelp() },
];

const PRESET_KEYS = ['lung', 'mediastinum', 'bone', 'brain'] as const;

/** Handle a key press; returns true when it was a reading shortcut. */
export function handleKey(key: string, actions: Actions, state: AppState, ui: UiToggles): boolean {
  switch (key) {
    case 'ArrowUp':
      actions.scroll(-1);
      return true;
    case 'ArrowDown':
      actions.scroll(1);
      return true;
    case 'PageUp':
      actions.scroll(-10);
      return true;
    case 'PageDown':
      actions.scroll(10);
      return true;
    case '[':
      stepSeries(actions, state, -1);
      return true;
    case 'n':
    case 'N':
      actions.stepFinding(1);
      return true;
    case 'b':
    case 'B':
      actions.stepFinding(-1);
      return true;
    case ']':
      stepSeries(actions, state, 1);
      return true;
    case 'L':
      // Shift+L: re-measure the selected finding (plain L is the length tool).
      if (state.selectedFinding) {
        actions.startRemeasure(state.selectedFinding);
        return true;
      }
      break;
    case 'Escape':
      if (state.remeasuring) {
        actions.finishRemeasure();
        return true;
      }
      return false;
    default:
      break;
  }
  const preset = ['1', '2', '3', '4'].indexOf(key);
  if (preset >= 0) {
    actions.applyPreset(PRESET_KEYS[preset] ?? null);
    return true;
  }
  const lower = key.length === 1 ? key.toLowerCase() : key;
  const shortcut = SHORTCUTS.find((s) => s.match.includes(lower) || s.match.includes(key));
  if (!shortcut) return false;
  shortcut.run(actions, state, ui);
  return true;
}
