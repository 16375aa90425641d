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
  cache,
  eventTarget,
  imageLoader,
  setVolumesForViewports,
  utilities as csUtils,
  volumeLoader,
  type Types,
} from '@cornerstonejs/core';
import {
  EllipticalROITool,
  Enums as ToolEnums,
  LengthTool,
  PanTool,
  ProbeTool,
  StackScrollTool,
  ToolGroupManager,
  WindowLevelTool,
  ZoomTool,
  annotation,
  utilities as toolUtils,
} from '@cornerstonejs/tools';
import { dot, type Vec3 } from '../dicom/geometry';
import { messageOf } from '../lib/errors';
import { getInstance, parseImageId } from './registry';

export type Layout = '1x1' | '1x3' | '2x2';
export type Plane = 'stack' | 'axial' | 'coronal' | 'sagittal';
export type ToolName = 'windowLevel' | 'zoom' | 'pan' | 'length' | 'ellipse' | 'probe';
export type PresetName = 'lung' | 'mediastinum' | 'bone' | 'brain';

/** Window presets in HU (width, centre), as commonly used for chest and head CT. */
export const PRESETS: Readonly<Record<PresetName, { width: number; center: number }>> = {
  lung: { width: 1500, center: -600 },
  mediastinum: { width: 350, center: 40 },
  bone: { width: 2000, center: 500 },
  brain: { width: 80, center: 40 },
};

export interface SeriesDisplay {
  readonly key: string;
  readonly imageIds: readonly string[];
  readonly isVolume: boolean;
  readonly normal?: Vec3;
  readonly modality: string;
}

export interface CellSpec {
  readonly plane: Plane;
  readonly seriesKey: string | null;
}

export interface Readout {
  readonly cell: number;
  readonly plane: Plane;
  readonly index: number;
  readonly total: number;
  readonly positionMm?: number;
  readonly thicknessMm?: number;
  readonly windowWidth?: number;
  readonly windowCenter?: number;
  readonly zoom: number;
  /** For stack cells: the frame number within its instance (diagnostics). */
  readonly frame?: number;
  readonly instanceKey?: string;
}

export interface ViewerEvents {
  readout(r: Readout): void;
  loadFailed(cell: number, message: string): void;
  measurementsChanged(): void;
  /** A measurement was finished by the user (its annotation UID). */
  measurementCompleted?(uid: string): void;
  seriesCached(seriesKey: string, cached: number, total: number): void;
}

const ENGINE_ID = 'lucent-engine';
const STACK_GROUP = 'lucent-stack';
const VOLUME_GROUP = 'lucent-volume';
const viewportId = (cell: number): string => `lucent-vp-${cell}`;

/** Cornerstone tool names (each class's static `toolName`). */
const TOOL_CLASS: Record<ToolName, string> = {
  windowLevel: String(WindowLevelTool.toolName),
  zoom: String(ZoomTool.toolName),
  pan: String(PanTool.toolName),
  length: String(LengthTool.toolName),
  ellipse: String(EllipticalROITool.toolName),
  probe: String(ProbeTool.toolName),
};
const STACK_SCROLL = String(StackScrollTool.toolName);

interface Mounted {
  readonly cell: number;
  readonly element: HTMLDivElement;
  readonly spec: CellSpec;
  readonly series: SeriesDisplay | undefined;
}

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
    for (const id of [STACK_GROUP, VOLUME_GROUP]) {
      const group = ToolGroupManager.getToolGroup(id) ?? ToolGroupManager.createToolGroup(id);
      if (!group) continue;
      for (const name of [...Object.values(TOOL_CLASS), STACK_SCROLL]) {
        if (!group.hasTool(name)) group.addTool(name);
      }
    }
    this.applyToolBindings();
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

  /**
   * Decode every image of a series into the cache so that scrolling never waits. A newer call for the
   * same series (more images arrived) replaces the running one; cached images are skipped.
   */
  private prefetch(series: SeriesDisplay): void {
    const token = {};
    this.prefetching.set(series.key, token);
    const ids = [...series.imageIds];
    let next = 0;
    let cached = 0;
    const current = (): boolean => this.prefetching.get(series.key) === token;
    const report = (): void => {
      if (current()) this.events.seriesCached(series.key, cached, ids.length);
    };
    const worker = async (): Promise<void> => {
      while (next < ids.length && current()) {
        const id = ids[next++];
        try {
          if (!cache.isLoaded(id)) await imageLoader.loadAndCacheImage(id);
        } catch {
          // The failure is reported by the loader's decode-failure listener.
        }
        cached++;
        if (cached % 8 === 0 || cached === ids.length) report();
      }
    };
    const concurrency = Math.max(2, Math.min(6, navigator.hardwareConcurrency || 2));
    void Promise.all(Array.from({ length: concurrency }, worker)).finally(() => {
      if (current()) this.prefetching.delete(series.key);
    });
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
    const props = (vp as Types.IStackViewport).getProperties?.() as
      { voiRange?: { lower: number; upper: number } } | undefined;
    const voi = props?.voiRange;
    const zoom = (vp as unknown as { getZoom?: () => number }).getZoom?.() ?? 1;
    const common = {
      cell,
      plane: m.spec.plane,
      zoom,
      windowWidth: voi ? voi.upper - voi.lower : undefined,
      windowCenter: voi ? (voi.upper + voi.lower) / 2 : undefined,
    };
    if (m.spec.plane === 'stack') {
      const stack = vp as Types.IStackViewport;
      const index = stack.getCurrentImageIdIndex();
      const ids = stack.getImageIds();
      const ref = parseImageId(ids[index] ?? '');
      const image = ref ? getInstance(ref.key)?.info.image : undefined;
      const frame = ref ? image?.frames[ref.frame] : undefined;
      const normal = m.series?.normal;
      const position = frame?.position;
      return {
        ...common,
        index,
        total: ids.length,
        frame: ref?.frame,
        instanceKey: ref?.key,
        positionMm: position ? (normal ? dot(position, normal) : position[2]) : undefined,
        thicknessMm: frame?.sliceThickness ?? image?.sliceThickness,
      };
    }
    const volumeVp = vp as Types.IVolumeViewport;
    const camera = volumeVp.getCamera();
    const view = camera.viewPlaneNormal as unknown as Vec3 | undefined;
    const focal = camera.focalPoint as unknown as Vec3 | undefined;
    // The plane of the acquired slices reads the same position as the stack (Cornerstone looks at an
    // axial plane from the other side, so its own normal would flip the sign).
    const own = m.series?.normal;
    const normal = own && view && Math.abs(dot(own, view)) > 0.99 ? own : view;
    return {
      ...common,
      index: volumeVp.getSliceIndex?.() ?? 0,
      total: volumeVp.getNumberOfSlices?.() ?? 0,
      positionMm: normal && focal ? dot(focal, normal) : undefined,
    };
  }

  private applyToolBindings(): void {
    const { Primary, Secondary, Auxiliary, Wheel } = ToolEnums.MouseBindings;
    for (const id of [STACK_GROUP, VOLUME_GROUP]) {
      const group = ToolGroupManager.getToolGroup(id);
      if (!group) continue;
      const primary = TOOL_CLASS[this.activeTool];
      const bindings = new Map<string, { mouseButton: number }[]>();
      const bind = (name: string, button: number): void => {
        bindings.set(name, [...(bindings.get(name) ?? []), { mouseButton: button }]);
      };
      bind(primary, Primary);
      bind(TOOL_CLASS.zoom, Secondary);
      bind(TOOL_CLASS.pan, Auxiliary);
      bind(STACK_SCROLL, Wheel);
      for (const name of [...Object.values(TOOL_CLASS), STACK_SCROLL]) {
        const b = bindings.get(name);
        if (b) {
          // setToolActive adds to a tool's earlier bindings: clear them first, or Pan and Zoom (which keep
          // the middle and right buttons) would also keep the left button after another tool is chosen.
          group.setToolPassive(name, { removeAllBindings: true });
          group.setToolActive(name, { bindings: b });
        } else if ([TOOL_CLASS.length, TOOL_CLASS.ellipse, TOOL_CLASS.probe].includes(name))
          group.setToolPassive(name);
        else group.setToolDisabled(name);
      }
    }
  }

  /** A new study replaces this one: stop decoding ahead (its images are about to be forgotten). */
  stopLoading(): void {
    this.prefetching.clear();
    this.volumeIds.clear();
    this.stopCine();
  }

  setTool(tool: ToolName): void {
    this.activeTool = tool;
    this.applyToolBindings();
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
      if (m.spec.plane === 'stack') {
        const stack = vp as Types.IStackViewport;
        const ids = stack.getImageIds();
        let best = 0;
        let bestD = Infinity;
        ids.forEach((id, i) => {
          const ref = parseImageId(id);
          const pos = ref ? getInstance(ref.key)?.info.image?.frames[ref.frame]?.position : undefined;
          const n = m.series?.normal;
          const d = !pos
            ? Infinity
            : n
              ? Math.abs(dot([pos[0] - point[0], pos[1] - point[1], pos[2] - point[2]], n))
              : Math.abs(pos[2] - point[2]);
          if (d < bestD) {
            bestD = d;
            best = i;
          }
        });
        void stack.setImageIdIndex(best);
      } else {
        const camera = vp.getCamera();
        const normal = camera.viewPlaneNormal as unknown as Vec3;
        const focal = camera.focalPoint as unknown as Vec3;
        const shift = dot([point[0] - focal[0], point[1] - focal[1], point[2] - focal[2]], normal);
        const move = (v: Vec3): Types.Point3 => [
          v[0] + normal[0] * shift,
          v[1] + normal[1] * shift,
          v[2] + normal[2] * shift,
        ];
        vp.setCamera({ focalPoint: move(focal), position: move(camera.position as unknown as Vec3) });
        vp.render();
      }
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
    let offPlane: number;
    if (m.spec.plane === 'stack') {
      const stack = vp as Types.IStackViewport;
      const ref = parseImageId(stack.getCurrentImageId() ?? '');
      const pos = ref ? getInstance(ref.key)?.info.image?.frames[ref.frame]?.position : undefined;
      if (!pos) return null;
      offPlane = Math.abs(pos[2] - center[2]);
    } else {
      const camera = vp.getCamera();
      const normal = camera.viewPlaneNormal as unknown as Vec3;
      const focal = camera.focalPoint as unknown as Vec3;
      offPlane = Math.abs(dot([center[0] - focal[0], center[1] - focal[1], center[2] - focal[2]], normal));
    }
    if (offPlane > radius) return null;
    const inPlane = Math.sqrt(radius * radius - offPlane * offPlane);
    const c = vp.worldToCanvas([center[0], center[1], center[2]]);
    const e = vp.worldToCanvas([center[0] + inPlane, center[1], center[2]]);
    const f = vp.worldToCanvas([center[0], center[1] + inPlane, center[2]]);
    const r = Math.max(Math.hypot(e[0] - c[0], e[1] - c[1]), Math.hypot(f[0] - c[0], f[1] - c[1]));
    return { x: c[0], y: c[1], r };
  }

  /**
   * For a cell showing an axial plane: the displayed slice's z (patient mm) and the mapping of a point on
   * that slice to canvas pixels; null for other planes.
   */
  axialFrame(cell: number): { z: number; toCanvas(x: number, y: number): [number, number] } | null {
    const m = this.mounted[cell];
    const vp = m ? this.engine.getViewport(viewportId(cell)) : undefined;
    if (!m || !vp) return null;
    let z: number;
    if (m.spec.plane === 'stack') {
      const stack = vp as Types.IStackViewport;
      const ref = parseImageId(stack.getCurrentImageId() ?? '');
      const frame = ref ? getInstance(ref.key)?.info.image?.frames[ref.frame] : undefined;
      const o = frame?.orientation;
      if (!frame?.position || !o) return null;
      // Rows along x and columns along y: an axial image.
      if (Math.abs(o[0]) < 0.99 || Math.abs(o[4]) < 0.99) return null;
      z = frame.position[2];
    } else {
      const camera = vp.getCamera();
      const normal = camera.viewPlaneNormal as unknown as Vec3;
      if (Math.abs(normal[2]) < 0.99) return null;
      z = (camera.focalPoint as unknown as Vec3)[2];
    }
    return {
      z,
      toCanvas: (x, y) => {
        const c = vp.worldToCanvas([x, y, z]);
        return [c[0], c[1]];
      },
    };
  }

  resize(): void {
    this.engine.resize(true, true);
  }

  /** Statistics of the image shown in a stack cell, in modality units (diagnostics and tests). */
  displayedPixelStats(cell: number): PixelStats | undefined {
    const vp = this.engine.getViewport<Types.IStackViewport>(viewportId(cell));
    const image = vp?.getCornerstoneImage?.();
    if (!image) return undefined;
    const data = image.getPixelData() as ArrayLike<number>;
    const components = image.numberOfComponents ?? (image.color ? 3 : 1);
    const pixels = image.rows * image.columns;
    const perChannel = Array.from({ length: Math.min(components, 3) }, (_, c) => {
      let min = Infinity;
      let max = -Infinity;
      let sum = 0;
      let sum2 = 0;
      for (let i = 0; i < pixels; i++) {
        const raw = data[i * components + c];
        const v =
          image.preScale?.scaled || image.color ? raw : raw * (image.slope ?? 1) + (image.intercept ?? 0);
        if (v < min) min = v;
        if (v > max) max = v;
        sum += v;
        sum2 += v * v;
      }
      const mean = sum / pixels;
      return { min, max, mean, sd: Math.sqrt(Math.max(0, sum2 / pixels - mean * mean)) };
    });
    return { rows: image.rows, columns: image.columns, components, channels: perChannel };
  }

  destroy(): void {
    this.stopCine();
    this.engine.destroy();
  }
}

export interface PixelStats {
  readonly rows: number;
  readonly columns: number;
  readonly components: number;
  readonly channels: readonly { min: number; max: number; mean: number; sd: number }[];
}

function describeLoadFailure(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === 'object' && e !== null && 'error' in e) {
    const inner = e.error;
    return messageOf(inner);
  }
  return String(e);
}

export { annotation as annotationState };
