/**
 * @module @openmid/portal
 * The development system's front door: the landing page, the agency console and the demo relying
 * parties (bank, convenience store, police checkpoint, car rental), server-rendered, Korean first.
 */
export { createPortalApp, type PortalAppOptions } from './app.js';
export {
  BackendError,
  type Backends,
  type CredentialRow,
  type FetchLike,
  httpBackends,
  type Offer,
  type PresentationRequest,
  type Registration,
} from './backends.js';
export { loadPortalConfig, type PortalConfig, PortalConfigSchema } from './config.js';
export {
  createInPersonReader,
  type InPersonReader,
  type InPersonReaderOptions,
  POLICE_ELEMENTS,
  type Privilege,
  type ReadingView,
  type ReadLicence,
} from './inperson.js';
export { type RunningPortal, type StartPortalOptions, startPortal } from './main.js';
export { DEMO_PARTIES, OFFER_CONFIGURATIONS, SCENARIOS, type Scenario } from './pages.js';
