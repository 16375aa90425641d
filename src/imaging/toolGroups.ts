/**
 * The viewer's Cornerstone identifiers and tool groups: the rendering engine and viewport ids, one tool
 * group for stack cells and one for MPR cells, the Cornerstone class name of each Lucent tool, and the
 * mouse bindings that make one tool primary (zoom on the right button, pan on the middle one, scrolling
 * on the wheel, the measurement tools passive).
 */
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
} from '@cornerstonejs/tools';
import type { ToolName } from './viewerTypes';

export const ENGINE_ID = 'lucent-engine';
export const STACK_GROUP = 'lucent-stack';
export const VOLUME_GROUP = 'lucent-volume';
export const viewportId = (cell: number): string => `lucent-vp-${cell}`;

/** Cornerstone tool names (each class's static `toolName`). */
export const TOOL_CLASS: Record<ToolName, string> = {
  windowLevel: String(WindowLevelTool.toolName),
  zoom: String(ZoomTool.toolName),
  pan: String(PanTool.toolName),
  length: String(LengthTool.toolName),
  ellipse: String(EllipticalROITool.toolName),
  probe: String(ProbeTool.toolName),
};
export const STACK_SCROLL = String(StackScrollTool.toolName);

/** Create the stack and volume tool groups (or reuse them) with every tool added. */
export function createToolGroups(): void {
  for (const id of [STACK_GROUP, VOLUME_GROUP]) {
    const group = ToolGroupManager.getToolGroup(id) ?? ToolGroupManager.createToolGroup(id);
    if (!group) continue;
    for (const name of [...Object.values(TOOL_CLASS), STACK_SCROLL]) {
      if (!group.hasTool(name)) group.addTool(name);
    }
  }
}

/** Bind `activeTool` to the primary button in both tool groups, with the fixed secondary bindings. */
export function applyToolBindings(activeTool: ToolName): void {
  const { Primary, Secondary, Auxiliary, Wheel } = ToolEnums.MouseBindings;
  for (const id of [STACK_GROUP, VOLUME_GROUP]) {
    const group = ToolGroupManager.getToolGroup(id);
    if (!group) continue;
    const primary = TOOL_CLASS[activeTool];
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
