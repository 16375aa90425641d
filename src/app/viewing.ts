/**
 * Viewing: the viewer's events into the store, which series each cell shows, layouts, tools, window
 * presets, scrolling and cine, measurements, thumbnails and where a finding falls on a cell. Performance
 * marks for `npm run bench` (first image, every slice decoded) are set here.
 */
import type { Series } from '../dicom/series';
import { listMeasurements, removeMeasurement } from '../imaging/measurements';
import { imageIdOf } from '../imaging/registry';
import { renderThumbnail } from '../imaging/thumbnails';
import {
  PRESETS,
  type CellSpec,
  type Layout,
  type PresetName,
  type SeriesDisplay,
  type ToolName,
  type Viewer,
} from '../imaging/viewer';
import { failureOf } from '../lib/errors';
import { findSeries, imageSeries } from '../store/selectors';
import type { Host } from './host';

export interface ViewingHooks {
  /** Whether the study is still loading (the "every slice decoded" mark waits for it). */
  loading(): boolean;
  /** The user chose a series. */
  seriesChosen(): void;
  /** Measurements changed, or one was completed (re-measuring a finding listens). */
  measurementsChanged(): void;
  measurementCompleted(uid: string): void;
}

export class Viewing {
  private cells: readonly { element: HTMLDivElement; spec: CellSpec }[] = [];
  private marks = { firstImage: false, scrollable: false };

  constructor(
    private readonly host: Host,
    private readonly hooks: ViewingHooks,
  ) {}

  private get viewer(): Viewer | null {
    return this.host.viewer();
  }

  /** A new study: stop decoding ahead for the old one, and measure the new load from its start. */
  newStudy(): void {
    this.viewer?.stopLoading();
    this.marks = { firstImage: false, scrollable: false };
  }

  events(): ConstructorParameters<typeof Viewer>[0] {
    const { store } = this.host;
    return {
      readout: (r) => {
        if (!this.marks.firstImage && r.total > 0) {
          this.marks.firstImage = true;
          performance.mark('lucent:first-image');
        }
        store.setState((s) => {
          const p = s.preset ? PRESETS[s.preset] : null;
          const judged =
            p && r.cell === s.activeCell && r.windowWidth !== undefined && r.windowCenter !== undefined;
          return {
            readouts: { ...s.readouts, [r.cell]: r },
            windowOffPreset: judged
              ? Math.abs((r.windowWidth ?? 0) - p.width) > 0.5 ||
                Math.abs((r.windowCenter ?? 0) - p.center) > 0.5
              : s.windowOffPreset,
          };
        });
      },
      loadFailed: (cell, failure) =>
        store.setState((s) => ({ cellErrors: { ...s.cellErrors, [cell]: failure } })),
      measurementsChanged: () => {
        store.setState({ measurements: listMeasurements() });
        this.hooks.measurementsChanged();
      },
      measurementCompleted: (uid) => this.hooks.measurementCompleted(uid),
      seriesCached: (key, cached, total) => {
        const done = !this.hooks.loading() && cached === total && key === store.getState().activeSeriesKey;
        if (done && !this.marks.scrollable) {
          this.marks.scrollable = true;
          performance.mark('lucent:scrollable');
        }
        store.setState((s) => ({ cached: { ...s.cached, [key]: { cached, total } } }));
      },
    };
  }

  /** Show a series in the first cell, and the study's other image series in the 2×2 grid's others. */
  fillGrid(activeKey: string): void {
    const { store } = this.host;
    const keys = imageSeries(store.getState().studies).map((s) => s.key);
    const ordered = [activeKey, ...keys.filter((k) => k !== activeKey)];
    store.setState({ gridSeries: [0, 1, 2, 3].map((i) => ordered[i] ?? null) });
  }

  selectSeries(key: string): void {
    this.hooks.seriesChosen();
    const { store } = this.host;
    const s = store.getState();
    if (s.layout === '2x2') {
      const grid = [...s.gridSeries];
      grid[s.activeCell] = key;
      store.setState({ gridSeries: grid, activeSeriesKey: key });
      return;
    }
    const series = findSeries(s, key);
    const layout: Layout = s.layout === '1x3' && !series?.volume.isVolume ? '1x1' : s.layout;
    store.setState({ activeSeriesKey: key, layout, cellErrors: {}, readouts: {} });
    this.fillGrid(key);
  }

  setLayout(layout: Layout): void {
    const { store } = this.host;
    const s = store.getState();
    if (layout === '1x3' && !findSeries(s, s.activeSeriesKey)?.volume.isVolume) return;
    store.setState({ layout, activeCell: 0, cellErrors: {}, readouts: {}, cine: false });
  }

  private display(series: Series): SeriesDisplay {
    return {
      key: series.key,
      imageIds: series.frames.map((f) => imageIdOf(f.instanceKey, f.frame)),
      isVolume: series.volume.isVolume,
      normal: series.volume.isVolume ? series.volume.normal : undefined,
      modality: series.modality,
    };
  }

  mountViewports(cells: readonly { element: HTMLDivElement; spec: CellSpec }[]): void {
    this.cells = cells;
    const viewer = this.viewer;
    if (!viewer) return;
    const { store } = this.host;
    const state = store.getState();
    const displays = new Map<string, SeriesDisplay>();
    for (const c of cells) {
      const series = findSeries(state, c.spec.seriesKey);
      if (series && series.kind === 'image') displays.set(series.key, this.display(series));
    }
    store.setState({ cellErrors: {} });
    viewer
      .mount(cells, displays)
      .catch((e: unknown) => store.setState({ viewerError: failureOf(e, 'viewer-failed') }));
    const preset = state.preset;
    if (preset) setTimeout(() => viewer.applyPreset(preset), 0);
  }

  /** Mount the last cells again (the viewer has just started). */
  remount(): void {
    if (this.cells.length > 0) this.mountViewports(this.cells);
  }

  resizeViewports(): void {
    this.viewer?.resize();
  }

  setTool(tool: ToolName): void {
    this.viewer?.setTool(tool);
    this.host.store.setState({ tool });
  }

  applyPreset(preset: PresetName | null): void {
    this.viewer?.applyPreset(preset);
    this.host.store.setState({ preset, windowOffPreset: false });
  }

  reset(): void {
    this.viewer?.reset();
    this.host.store.setState({ preset: null });
  }

  scroll(delta: number): void {
    this.viewer?.scroll(delta);
  }

  toggleCine(): void {
    this.host.store.setState({ cine: this.viewer?.toggleCine() ?? false });
  }

  setActiveCell(cell: number): void {
    this.viewer?.setActiveCell(cell);
    this.host.store.setState({ activeCell: cell });
  }

  removeMeasurement(uid: string): void {
    removeMeasurement(uid);
    this.host.store.setState({ measurements: listMeasurements() });
  }

  renderThumbnail(canvas: HTMLCanvasElement, seriesKey: string): Promise<void> {
    const series = findSeries(this.host.store.getState(), seriesKey);
    const frame = series?.frames[Math.floor((series.frames.length - 1) / 2)];
    if (!frame) return Promise.resolve();
    return renderThumbnail(canvas, imageIdOf(frame.instanceKey, frame.frame));
  }

  toggleAiMarks(): void {
    this.host.store.setState((s) => ({ showAiMarks: !s.showAiMarks }));
  }

  projectToCell(
    cell: number,
    centerMm: readonly [number, number, number],
    radiusMm: number,
  ): { x: number; y: number; r: number } | null {
    return this.viewer?.project(cell, centerMm, radiusMm) ?? null;
  }

  /** Bring a patient-space point onto the screen (a finding's centre). */
  jumpTo(point: readonly [number, number, number]): void {
    this.viewer?.jumpTo(point);
  }
}
