/**
 * @module @openmid/core/errors
 * One error class with stable codes; the code catalogue.
 */
export { ERROR_CODES, type OpenMidErrorCode } from './codes.js';
export {
  asOpenMidError,
  fail,
  isOpenMidError,
  OpenMidError,
  type OpenMidErrorOptions,
} from './error.js';
