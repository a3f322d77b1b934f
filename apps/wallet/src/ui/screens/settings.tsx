/**
 * @module ui/screens/settings
 * Settings: language, lock now, biometric unlock (WebAuthn PRF, only where it works), PIN change,
 * the device id (for a loss report), the trust list, the lost-phone page and the factory reset.
 */
import { type ReactNode, useCallback, useEffect, useState } from 'react';
import { biometricsAvailable, webauthnPrf } from '../../wallet/webauthn.js';
import { LangSwitch, Layout, Notice, PinField } from '../components.js';
import { useI18n } from '../i18n.js';
import { navigate } from '../router.js';
import { useWallet } from '../wallet-context.js';

/** The settings screen. */
export function Settings(): ReactNode {
  const { t, error, formatTime } = useI18n();
  const { wallet, lock, refresh } = useWallet();
  const [device, setDevice] = useState<string | undefined>(undefined);
  const [bioAvailable, setBioAvailable] = useState(false);
  const [bioOn, setBioOn] = useState(false);
  const [pinFor, setPinFor] = useState<'bio' | 'change' | undefined>(undefined);
  const [pin, setPin] = useState('');
  const [newPin, setNewPin] = useState('');
  const [message, setMessage] = useState<{ kind: 'success' | 'error'; text: string } | undefined>(
    undefined,
  );
  const [trust, setTrust] = useState<string | undefined>(undefined);
  const [confirmReset, setConfirmReset] = useState(false);

  const loadTrust = useCallback(
    async (refreshList: boolean) => {
      try {
        const c = await wallet.trust.current(refreshList ? { refresh: true } : undefined);
        const summary = t('trustSummary', {
          issuers: c.sources.issuers,
          parties: c.sources.relyingParties,
          time: formatTime(c.sources.bundleIssuedAt ?? Date.now() / 1000),
        });
        setTrust(
          c.sources.ledgerSize === undefined
            ? summary
            : `${summary} · ${t('trustLedger', { n: c.sources.ledgerSize })}`,
        );
      } catch (e) {
        setTrust(error(e));
      }
    },
    [wallet, t, formatTime, error],
  );

  useEffect(() => {
    void wallet.deviceId().then(setDevice);
    void biometricsAvailable().then(setBioAvailable);
    void wallet.vault.hasBiometrics().then(setBioOn);
    void loadTrust(false);
  }, [wallet, loadTrust]);

  const withPin = async () => {
    setMessage(undefined);
    try {
      if (pinFor === 'bio') {
        await wallet.vault.enrolBiometrics(pin, webauthnPrf(t('appName')));
        setBioOn(true);
        setMessage({ kind: 'success', text: t('biometricEnabled') });
      } else if (pinFor === 'change') {
        await wallet.vault.changePin(pin, newPin);
        setMessage({ kind: 'success', text: t('pinChanged') });
      }
      setPinFor(undefined);
    } catch (e) {
      setMessage({ kind: 'error', text: error(e) });
      await refresh();
    }
    setPin('');
    setNewPin('');
  };

  return (
    <Layout title={t('settingsTitle')} nav>
      {message !== undefined && <Notice kind={message.kind}>{message.text}</Notice>}
      <section aria-labelledby="s-lang">
        <h2 id="s-lang">{t('language')}</h2>
        <LangSwitch />
      </section>
      <section aria-labelledby="s-security">
        <h2 id="s-security">{t('biometricTitle')}</h2>
        {!bioAvailable && !bioOn && <p className="hint">{t('biometricUnavailable')}</p>}
        {bioOn ? (
          <>
            <p>{t('biometricEnabled')}</p>
            <button
              type="button"
              className="secondary"
              onClick={async () => {
                await wallet.vault.removeBiometrics();
                setBioOn(false);
              }}
            >
              {t('biometricOff')}
            </button>
          </>
        ) : (
          bioAvailable && (
            <button type="button" className="secondary" onClick={() => setPinFor('bio')}>
              {t('biometricOn')}
            </button>
          )
        )}
        <button type="button" className="secondary" onClick={() => setPinFor('change')}>
          {t('changePin')}
        </button>
        {pinFor !== undefined && (
          <form
            className="stack"
            onSubmit={(e) => {
              e.preventDefault();
              void withPin();
            }}
          >
            <PinField
              name="current-pin"
              label={pinFor === 'bio' ? t('biometricPinPrompt') : t('pinCurrent')}
              value={pin}
              onChange={setPin}
            />
            {pinFor === 'change' && (
              <PinField name="new-pin" label={t('pinNew')} value={newPin} onChange={setNewPin} />
            )}
            <button type="submit" className="primary" disabled={pin.length !== 6}>
              {t('continue')}
            </button>
            <button type="button" className="secondary" onClick={() => setPinFor(undefined)}>
              {t('cancel')}
            </button>
          </form>
        )}
        <button type="button" className="secondary" data-action="lock" onClick={lock}>
          {t('lockNow')}
        </button>
      </section>
      <section aria-labelledby="s-device">
        <h2 id="s-device">{t('deviceId')}</h2>
        <p className="mono">{device ?? '—'}</p>
      </section>
      <section aria-labelledby="s-trust">
        <h2 id="s-trust">{t('trustTitle')}</h2>
        <p>{trust ?? t('loading')}</p>
        <button type="button" className="secondary" onClick={() => void loadTrust(true)}>
          {t('trustRefresh')}
        </button>
      </section>
      <section aria-labelledby="s-lost">
        <h2 id="s-lost">{t('lostTitle')}</h2>
        <button
          type="button"
          className="secondary"
          data-action="lost"
          onClick={() => navigate('/lost')}
        >
          {t('lostTitle')}
        </button>
      </section>
      <section aria-labelledby="s-reset">
        <h2 id="s-reset">{t('resetTitle')}</h2>
        <p>{t('resetBody')}</p>
        {confirmReset ? (
          <div className="confirm" role="alert">
            <button
              type="button"
              className="danger"
              onClick={async () => {
                await wallet.vault.factoryReset();
                await refresh();
                navigate('/', { replace: true });
              }}
            >
              {t('resetConfirm')}
            </button>
            <button type="button" className="secondary" onClick={() => setConfirmReset(false)}>
              {t('cancel')}
            </button>
          </div>
        ) : (
          <button type="button" className="danger-outline" onClick={() => setConfirmReset(true)}>
            {t('resetTitle')}
          </button>
        )}
      </section>
    </Layout>
  );
}
