/**
 * The viewer: one Cornerstone rendering engine, up to four viewports, tool groups, presets, cine and
 * readouts for the overlay text.
 *
 * Ownership and lifetime: owned by `app/` (one per page), created once Cornerstone is initialised and
 * destroyed on unload. Viewports, volumes and cached images live in Cornerstone; React only passes the
 * DOM elements and the cell assignment in, and receives small readout records back.
 */
import {
  Enums,
  RenderingEngine,
  eventTarget,
  setVolumesForViewports,
  utilities as csUtils,
  volumeLoader,
  type Types,
} from '@cornerstonejs/core';
import {
  Enums as ToolEnums,
  ToolGroupManager,
  annotation,
  utilities as toolUtils,
} from '@cornerstonejs/tools';
import { failureOf, type Failure } from '../lib/errors';
import { prefetchSeries } from './prefetch';
import {
  applyToolBindings,
  createToolGroups,
  ENGINE_ID,
  STACK_GROUP,
  viewportId,
  VOLUME_GROUP,
} from './toolGroups';
import { axialFrameOf, jumpViewport, pixelStatsOf, projectSphere, readoutOf } from './viewportQueries';
import {
  PRESETS,
  type CellSpec,
  type Mounted,
  type PixelStats,
  type PresetName,
  type Readout,
  type SeriesDisplay,
  type ToolName,
  type ViewerEvents,
} from './viewerTypes';

export {
  PRESETS,
  type CellSpec,
  type Layout,
  type PixelStats,
  type Plane,
  type PresetName,
  type Readout,
  type SeriesDisplay,
  type ToolName,
  type ViewerEvents,
} from './viewerTypes';

let volumeCounter = 0;

export class Viewer {
  private readonly engine: RenderingEngine;
  private mounted: Mounted[] = [];
  private activeTool: ToolName = 'windowLevel';
  private activeCell = 0;
  private readonly volumeIds = new Map<string, string>();
  private readonly prefetching = new Map<string, object>();
  private readonly listeners = new Map<HTMLDivElement, () => void>();
  private rafPending = new Set<number>();
  private cinePlaying = false;
  private generation = 0;

  constructor(private readonly events: ViewerEvents) {
    this.engine = new RenderingEngine(ENGINE_ID);
    createToolGroups();
    applyToolBindings(this.activeTool);
    // Statistics are computed when annotations render, so refresh on render too (once per frame).
    let pending = false;
    const onAnnotation = (): void => {
      if (pending) return;
      pending = true;
      requestAnimationFrame(() => {
        pending = false;
        this.events.measurementsChanged();
      });
    };
    for (const ev of [
      ToolEnums.Events.ANNOTATION_COMPLETED,
      ToolEnums.Events.ANNOTATION_MODIFIED,
      ToolEnums.Events.ANNOTATION_REMOVED,
      ToolEnums.Events.ANNOTATION_RENDERED,
    ]) {
      eventTarget.addEventListener(ev, onAnnotation);
    }
    eventTarget.addEventListener(ToolEnums.Events.ANNOTATION_COMPLETED, (evt: Event) => {
      const uid = (evt as CustomEvent<{ annotation?: { annotationUID?: string } }>).detail.annotation
        ?.annotationUID;
      // Statistics are filled in on the next render; report the completion after it.
      if (uid)
        requestAnimationFrame(() => requestAnimationFrame(() => this.events.measurementCompleted?.(uid)));
    });
  }

  /** Show `cells` (one per DOM element) with their series. Replaces whatever was shown. */
  async mount(
    cells: readonly { element: HTMLDivElement; spec: CellSpec }[],
    series: ReadonlyMap<string, SeriesDisplay>,
  ): Promise<void> {
    const generation = ++this.generation;
    // Only a change of layout keeps the slice (a remount as more images arrive starts as before).
    const planes = (cs: readonly { spec: CellSpec }[]): string => cs.map((c) => c.spec.plane).join();
    const keep = planes(this.mounted) !== planes(cells) ? this.viewedPoint() : null;
    this.stopCine();
    for (const [el, off] of this.listeners) {
      off();
      this.listeners.delete(el);
    }
    for (const id of [STACK_GROUP, VOLUME_GROUP]) {
      const group = ToolGroupManager.getToolGroup(id);
      for (const vp of group?.getViewportIds() ?? []) group?.removeViewports(ENGINE_ID, vp);
    }
    this.mounted = cells.map((c, cell) => ({
      cell,
      element: c.element,
      spec: c.spec,
      series: c.spec.seriesKey ? series.get(c.spec.seriesKey) : undefined,
    }));
    const inputs: Types.PublicViewportInput[] = this.mounted.map((m) => ({
      viewportId: viewportId(m.cell),
      element: m.element,
      type: m.spec.plane === 'stack' ? Enums.ViewportType.STACK : Enums.ViewportType.ORTHOGRAPHIC,
      defaultOptions: {
        background: [0, 0, 0] as Types.Point3,
        ...(m.spec.plane === 'stack'
          ? {}
          : {
              orientation:
                m.spec.plane === 'axial'
                  ? Enums.OrientationAxis.AXIAL
                  : m.spec.plane === 'coronal'
                    ? Enums.OrientationAxis.CORONAL
                    : Enums.OrientationAxis.SAGITTAL,
            }),
      },
    }));
    this.engine.setViewports(inputs);
    for (const m of this.mounted) {
      const group = ToolGroupManager.getToolGroup(m.spec.plane === 'stack' ? STACK_GROUP : VOLUME_GROUP);
      group?.addViewport(viewportId(m.cell), ENGINE_ID);
      this.listen(m);
    }
    this.activeCell = Math.min(this.activeCell, Math.max(0, this.mounted.length - 1));
    await Promise.all(
      this.mounted.filter((m) => m.spec.plane === 'stack').map((m) => this.showStack(m, generation)),
    );
    const volumeCells = this.mounted.filter((m) => m.spec.plane !== 'stack' && m.series);
    if (volumeCells.length > 0) await this.showVolume(volumeCells, generation);
    // Same series in a new layout (stack ⇄ MPR): stay at the slice that was being read.
    const shown = new Set(this.mounted.flatMap((m) => (m.series ? [m.series.key] : [])));
    if (keep && generation === this.generation && shown.size === 1 && shown.has(keep.seriesKey)) {
      this.jumpTo(keep.point);
    }
  }

  /** The centre of view of the axial (or stack) cell, else of the active cell, with its series. */
  private viewedPoint(): { seriesKey: string; point: [number, number, number] } | null {
    const m =
      this.mounted.find((c) => c.spec.plane === 'axial' || c.spec.plane === 'stack') ??
      this.mounted.find((c) => c.cell === this.activeCell);
    if (!m?.series) return null;
    try {
      const f = this.engine.getViewport(viewportId(m.cell))?.getCamera().focalPoint;
      return f ? { seriesKey: m.series.key, point: [f[0], f[1], f[2]] } : null;
    } catch {
      return null;
    }
  }

  private listen(m: Mounted): void {
    const handler = (): void => this.scheduleReadout(m.cell);
    const names = [Enums.Events.IMAGE_RENDERED, Enums.Events.STACK_NEW_IMAGE];
    for (const n of names) m.element.addEventListener(n, handler);
    this.listeners.set(m.element, () => {
      for (const n of names) m.element.removeEventListener(n, handler);
    });
  }

  private async showStack(m: Mounted, generation: number): Promise<void> {
    const vp = this.engine.getViewport<Types.IStackViewport>(viewportId(m.cell));
    if (!vp || !m.series) return;
    const ids = [...m.series.imageIds];
    try {
      performance.mark('lucent:set-stack');
      await vp.setStack(ids, 0);
      performance.mark('lucent:stack-ready');
      if (generation !== this.generation) return;
      // A stack set while an earlier mount was still loading can inherit its camera: fit it afresh.
      vp.resetCamera();
      vp.render();
      this.prefetch(m.series);
    } catch (e) {
      if (generation === this.generation) this.events.loadFailed(m.cell, describeLoadFailure(e));
    }
  }

  private async showVolume(cells: readonly Mounted[], generation: number): Promise<void> {
    const series = cells[0]?.series;
    if (!series) return;
    let volumeId = this.volumeIds.get(series.key);
    try {
      if (!volumeId) {
        volumeId = `cornerstoneStreamingImageVolume:lucent-volume-${++volumeCounter}`;
        this.volumeIds.set(series.key, volumeId);
        const volume = await volumeLoader.createAndCacheVolume(volumeId, { imageIds: [...series.imageIds] });
        (volume as unknown as { load?: () => void }).load?.();
      }
      if (generation !== this.generation) return;
      await setVolumesForViewports(
        this.engine,
        [{ volumeId }],
        cells.map((c) => viewportId(c.cell)),
      );
      if (generation !== this.generation) return;
      this.engine.renderViewports(cells.map((c) => viewportId(c.cell)));
    } catch (e) {
      if (volumeId) this.volumeIds.delete(series.key);
      for (const c of cells) this.events.loadFailed(c.cell, describeLoadFailure(e));
    }
  }

  /** Decode every image of a series into the cache so that scrolling never waits (`prefetch.ts`). */
  private prefetch(series: SeriesDisplay): void {
    prefetchSeries(this.prefetching, series, this.events);
  }

  private scheduleReadout(cell: number): void {
    if (this.rafPending.has(cell)) return;
    this.rafPending.add(cell);
    requestAnimationFrame(() => {
      this.rafPending.delete(cell);
      const r = this.readout(cell);
      if (r) this.events.readout(r);
    });
  }

  readout(cell: number): Readout | undefined {
    const m = this.mounted[cell];
    if (!m) return undefined;
    const vp = this.engine.getViewport(viewportId(cell));
    if (!vp) return undefined;
    return readoutOf(cell, m, vp);
  }

  /** A new study replaces this one: stop decoding ahead (its images are about to be forgotten). */
  stopLoading(): void {
    this.prefetching.clear();
    this.volumeIds.clear();
    this.stopCine();
  }

  setTool(tool: ToolName): void {
    this.activeTool = tool;
    applyToolBindings(this.activeTool);
  }

  setActiveCell(cell: number): void {
    this.activeCell = cell;
  }

  private targetViewports(all: boolean): Types.IViewport[] {
    const cells = all ? this.mounted : this.mounted.filter((m) => m.cell === this.activeCell);
    return cells
      .map((m) => this.engine.getViewport(viewportId(m.cell)))
      .filter((v): v is Types.IViewport => v !== undefined);
  }

  applyPreset(preset: PresetName | null): void {
    for (const vp of this.targetViewports(true)) {
      const v = vp as Types.IStackViewport;
      if (preset === null) {
        v.resetProperties?.();
      } else {
        const { width, center } = PRESETS[preset];
        v.setProperties({ voiRange: { lower: center - width / 2, upper: center + width / 2 } });
      }
      vp.render();
    }
  }

  reset(): void {
    for (const vp of this.targetViewports(false)) {
      (vp as Types.IStackViewport).resetProperties?.();
      vp.resetCamera();
      vp.render();
    }
  }

  scroll(delta: number): void {
    const vp = this.targetViewports(false)[0];
    if (vp) csUtils.scroll(vp, { delta, loop: false });
  }

  isCinePlaying(): boolean {
    return this.cinePlaying;
  }

  toggleCine(framesPerSecond = 15): boolean {
    const m = this.mounted.find((x) => x.cell === this.activeCell);
    if (!m) return false;
    if (this.cinePlaying) {
      this.stopCine();
    } else {
      toolUtils.cine.playClip(m.element, { framesPerSecond, loop: true });
      this.cinePlaying = true;
    }
    return this.cinePlaying;
  }

  private stopCine(): void {
    if (!this.cinePlaying) return;
    for (const m of this.mounted) {
      try {
        toolUtils.cine.stopClip(m.element);
      } catch {
        // The element may already be gone.
      }
    }
    this.cinePlaying = false;
  }

  /**
   * Show the slice nearest to a patient point in every stack cell (along the series' slice normal; patient
   * height when it has none), and move MPR planes to it.
   */
  jumpTo(point: readonly [number, number, number]): void {
    for (const m of this.mounted) {
      const vp = this.engine.getViewport(viewportId(m.cell));
      if (!vp) continue;
      jumpViewport(m, vp, point);
    }
  }

  /**
   * Where a sphere (centre, radius in mm) crosses the image shown in a cell, in canvas pixels; null when
   * the displayed slice does not cut it.
   */
  project(
    cell: number,
    center: readonly [number, number, number],
    radius: number,
  ): { x: number; y: number; r: number } | null {
    const m = this.mounted[cell];
    const vp = m ? this.engine.getViewport(viewportId(cell)) : undefined;
    if (!m || !vp) return null;
    return projectSphere(m, vp, center, radius);
  }

  /**
   * For a cell showing an axial plane: the displayed slice's z (patient mm) and the mapping of a point on
   * that slice to canvas pixels; null for other planes.
   */
  axialFrame(cell: number): { z: number; toCanvas(x: number, y: number): [number, number] } | null {
    const m = this.mounted[cell];
    const vp = m ? this.engine.getViewport(viewportId(cell)) : undefined;
    if (!m || !vp) return null;
    return axialFrameOf(m, vp);
  }

  resize(): void {
    this.engine.resize(true, true);
  }

  /** Statistics of the image shown in a stack cell, in modality units (diagnostics and tests). */
  displayedPixelStats(cell: number): PixelStats | undefined {
    return pixelStatsOf(this.engine.getViewport<Types.IStackViewport>(viewportId(cell)));
  }

  destroy(): void {
    this.stopCine();
    this.engine.destroy();
  }
}

/** Why a cell's images could not be shown: the loader's error (Cornerstone may wrap it as `{ error }`). */
function describeLoadFailure(e: unknown): Failure {
  const inner = !(e instanceof Error) && typeof e === 'object' && e !== null && 'error' in e ? e.error : e;
  return failureOf(inner, 'display-failed');
}

export { annotation as annotationState };
