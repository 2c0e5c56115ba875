export declare function renderErrorsDoc(
  errorCodes: Record<string, { area: string; status: string; description: string }>,
): string;
