/**
 * @module ui/screens/lock
 * The PIN screen (attempts left, biometric unlock when enrolled) and the lock-out screen after the
 * fifth wrong PIN, whose only way forward is a factory reset and re-issuance (DOMAIN.md §1.1).
 */
import { type ReactNode, useEffect, useState } from 'react';
import { isWalletError } from '../../wallet/errors.js';
import { webauthnPrf } from '../../wallet/webauthn.js';
import { Busy, Layout, Notice, PinField } from '../components.js';
import { useI18n } from '../i18n.js';
import { navigate } from '../router.js';
import { useWallet } from '../wallet-context.js';

/** The PIN screen. */
export function Lock(): ReactNode {
  const { t, error } = useI18n();
  const { wallet, refresh } = useWallet();
  const [pin, setPin] = useState('');
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const [left, setLeft] = useState<number | undefined>(undefined);
  const [biometric, setBiometric] = useState(false);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    void wallet.vault.attemptsLeft().then(setLeft);
    void wallet.vault.hasBiometrics().then(setBiometric);
  }, [wallet]);

  const done = async (e: unknown) => {
    setBusy(false);
    setPin('');
    if (isWalletError(e, 'ERR_WALLET_PIN_WRONG')) {
      const n = Number(e.details?.['attemptsLeft'] ?? 0);
      setLeft(n);
      setProblem(t('pinWrong', { n }));
    } else setProblem(error(e));
    await refresh();
  };

  const unlock = async () => {
    setProblem(undefined);
    setBusy(true);
    try {
      await wallet.vault.unlock(pin);
      await refresh();
    } catch (e) {
      await done(e);
    }
  };

  const unlockBiometric = async () => {
    setProblem(undefined);
    setBusy(true);
    try {
      await wallet.vault.unlockWithBiometrics(webauthnPrf(t('appName')));
      await refresh();
    } catch (e) {
      await done(e);
    }
  };

  return (
    <Layout title={t('lockTitle')}>
      {busy ? (
        <Busy text={t('working')} />
      ) : (
        <form
          className="stack"
          onSubmit={(e) => {
            e.preventDefault();
            void unlock();
          }}
        >
          <PinField name="pin" label={t('pinLabel')} value={pin} onChange={setPin} autoFocus />
          {problem !== undefined && <Notice kind="error">{problem}</Notice>}
          {left !== undefined && left < 5 && problem === undefined && (
            <p className="hint">{t('attemptsLeft', { n: left })}</p>
          )}
          <button type="submit" className="primary" disabled={pin.length !== 6}>
            {t('unlock')}
          </button>
          {biometric && (
            <button type="button" className="secondary" onClick={() => void unlockBiometric()}>
              {t('unlockBiometric')}
            </button>
          )}
        </form>
      )}
      <p>
        <a
          href="/lost"
          onClick={(e) => {
            e.preventDefault();
            navigate('/lost');
          }}
        >
          {t('lostOrNew')}
        </a>
      </p>
    </Layout>
  );
}

/** After five wrong PINs: explain, and offer the reset. */
export function LockedOut(): ReactNode {
  const { t } = useI18n();
  const { wallet, refresh } = useWallet();
  const [busy, setBusy] = useState(false);
  return (
    <Layout title={t('lockedOutTitle')}>
      <Notice kind="error">{t('lockedOutBody')}</Notice>
      <p>
        <a
          href="/lost"
          onClick={(e) => {
            e.preventDefault();
            navigate('/lost');
          }}
        >
          {t('lostOrNew')}
        </a>
      </p>
      <button
        type="button"
        className="danger"
        disabled={busy}
        onClick={async () => {
          setBusy(true);
          await wallet.vault.factoryReset();
          await refresh();
          navigate('/', { replace: true });
        }}
      >
        {t('resetConfirm')}
      </button>
    </Layout>
  );
}
