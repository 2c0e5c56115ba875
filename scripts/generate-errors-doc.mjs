// Writes docs/errors.md from the built package's error table. Run through `npm run docs:errors`.
import { writeFileSync } from 'node:fs';
import { errorCodes } from '../dist/index.js';
import { renderErrorsDoc } from './errors-doc.mjs';

writeFileSync(new URL('../docs/errors.md', import.meta.url), renderErrorsDoc(errorCodes));
