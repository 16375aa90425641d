/**
 * Cornerstone3D start-up: core, tools, the DICOM codecs (in their own workers), and Lucent's metadata
 * provider and `lucent:` image loader. Idempotent.
 */
import { getShouldUseCPURendering, init as coreInit, imageLoader, metaData } from '@cornerstonejs/core';
import { init as dicomLoaderInit } from '@cornerstonejs/dicom-image-loader';
import {
  EllipticalROITool,
  LengthTool,
  PanTool,
  ProbeTool,
  StackScrollTool,
  WindowLevelTool,
  ZoomTool,
  addTool,
  init as toolsInit,
} from '@cornerstonejs/tools';
import { lucentImageLoader } from './loader';
import { lucentMetadataProvider } from './metadata';

let started: Promise<{ cpuRendering: boolean }> | null = null;

export function initImaging(): Promise<{ cpuRendering: boolean }> {
  started ??= Promise.resolve().then(() => {
    coreInit();
    const workers = Math.max(1, Math.min(4, (navigator.hardwareConcurrency || 2) - 1));
    dicomLoaderInit({ maxWebWorkers: workers });
    toolsInit();
    // Lucent's provider answers first; Cornerstone's own providers remain for anything it does not know.
    metaData.addProvider(lucentMetadataProvider, 10_000);
    imageLoader.registerImageLoader('lucent', lucentImageLoader);
    for (const tool of [
      WindowLevelTool,
      ZoomTool,
      PanTool,
      StackScrollTool,
      LengthTool,
      EllipticalROITool,
      ProbeTool,
    ]) {
      addTool(tool);
    }
    return { cpuRendering: getShouldUseCPURendering() };
  });
  return started;
}
