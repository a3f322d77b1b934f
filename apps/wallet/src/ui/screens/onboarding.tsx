/**
 * @module ui/screens/onboarding
 * First run: what the wallet is, a 6-digit PIN typed twice, then the vault is created (device key,
 * data key, PIN wrap, DPoP key; trust anchors pinned) — wallet/vault.ts, wallet/wallet.ts.
 */
import { type ReactNode, useId, useState } from 'react';
import { assertPinFormat } from '../../wallet/vault.js';
import { Busy, Layout, Notice, PinField } from '../components.js';
import { useI18n } from '../i18n.js';
import { useWallet } from '../wallet-context.js';

/** The onboarding screen. */
export function Onboarding(): ReactNode {
  const { t, error } = useI18n();
  const { wallet, refresh } = useWallet();
  const [pin, setPin] = useState('');
  const [again, setAgain] = useState('');
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const rulesId = useId();

  const submit = async () => {
    setProblem(undefined);
    try {
      assertPinFormat(pin);
    } catch (e) {
      setProblem(error(e));
      return;
    }
    if (pin !== again) {
      setProblem(t('pinMismatch'));
      return;
    }
    setBusy(true);
    try {
      await wallet.setUp(pin);
      await refresh();
    } catch (e) {
      setProblem(error(e));
      setBusy(false);
    }
  };

  return (
    <Layout title={t('welcomeTitle')}>
      <p className="lead">{t('welcomeBody')}</p>
      <p className="note">{t('welcomeDataNote')}</p>
      {busy ? (
        <Busy text={t('creatingVault')} />
      ) : (
        <form
          className="stack"
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <PinField
            name="new-pin"
            label={t('pinNew')}
            value={pin}
            onChange={setPin}
            describedBy={rulesId}
          />
          <p id={rulesId} className="hint">
            {t('pinRules')}
          </p>
          <PinField name="pin-again" label={t('pinAgain')} value={again} onChange={setAgain} />
          {problem !== undefined && <Notice kind="error">{problem}</Notice>}
          <button
            type="submit"
            className="primary"
            disabled={pin.length !== 6 || again.length !== 6}
          >
            {t('start')}
          </button>
        </form>
      )}
    </Layout>
  );
}
