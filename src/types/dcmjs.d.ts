// The small part of dcmjs's API that Lucent uses (dcmjs ships no type declarations).
declare module 'dcmjs' {
  type Naturalized = Record<string, unknown>;
  interface DicomDictInstance {
    dict: Record<string, unknown>;
    write(options?: Record<string, unknown>): ArrayBuffer;
  }
  const dcmjs: {
    data: {
      DicomDict: new (meta: Record<string, unknown>) => DicomDictInstance;
      DicomMessage: {
        readFile(
          buffer: ArrayBuffer,
          options?: Record<string, unknown>,
        ): { dict: Record<string, unknown>; meta: Record<string, unknown> };
      };
      DicomMetaDictionary: {
        denaturalizeDataset(ds: Naturalized): Record<string, unknown>;
        naturalizeDataset(ds: Record<string, unknown>): Naturalized;
      };
    };
  };
  export default dcmjs;
}
