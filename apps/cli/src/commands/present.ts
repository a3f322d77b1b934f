/**
 * @module commands/present
 * `openmid present`: the holder selects claims of a held credential by claim path and binds the
 * presentation to the verifier's audience and nonce with a key-binding JWT (prints SD-JWT+KB).
 */
import { presentSdJwt } from '@openmid/core/sd-jwt';
import { type Command, required } from '../cli.js';
import { readText } from '../files.js';
import { signerFromFile } from '../keys.js';
import { parseClaimPaths } from '../paths.js';

export const present: Command = {
  name: 'present',
  summary: 'Present selected claims of a credential with key binding (prints SD-JWT+KB).',
  usage:
    'present --credential FILE --holder-key FILE --disclose PATH[,PATH...] --aud ID --nonce N\n\n' +
    '  PATH is a dotted claim path: name, aptitude_test_period.start, licence_classes.0,\n' +
    '  licence_classes.* (every element). Parents of a nested claim are disclosed with it.',
  options: {
    credential: { type: 'string' },
    'holder-key': { type: 'string' },
    disclose: { type: 'string' },
    aud: { type: 'string' },
    nonce: { type: 'string' },
  },
  async run({ values, io }) {
    const paths = parseClaimPaths(required(values, 'disclose'));
    const credential = await readText(required(values, 'credential'), io);
    const signer = await signerFromFile(required(values, 'holder-key'), io);
    const presentation = await presentSdJwt(credential, {
      paths,
      keyBinding: { signer, aud: required(values, 'aud'), nonce: required(values, 'nonce') },
    });
    io.stdout(`${presentation}\n`);
    return 0;
  },
};
