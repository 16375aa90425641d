import type { ChangeEvent, JSX, MutableRefObject } from 'react';

interface Props {
  /** Set to the input element, so that a visible button can open it with `click()`. */
  readonly inputRef: MutableRefObject<HTMLInputElement | null>;
  readonly onChange: (e: ChangeEvent<HTMLInputElement>) => void;
  readonly testId: string;
  /** Accessible name; without one the input is hidden from assistive technology (its button speaks). */
  readonly label?: string;
}

/** A hidden folder picker (`webkitdirectory`, the fallback where the File System Access API is missing). */
export function FolderInput({ inputRef, onChange, testId, label }: Props): JSX.Element {
  return (
    <input
      ref={(el) => {
        inputRef.current = el;
        el?.setAttribute('webkitdirectory', '');
      }}
      className="visually-hidden"
      type="file"
      multiple
      tabIndex={-1}
      aria-label={label}
      aria-hidden={label ? undefined : true}
      data-testid={testId}
      onChange={onChange}
    />
  );
}
