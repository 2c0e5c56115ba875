/** One adversarial shape: XML content of about `bytes` bytes stressing one pre-authentication step. */
export interface Shape {
  name: string;
  content(bytes: number): string;
}

export declare const shapes: readonly Shape[];
