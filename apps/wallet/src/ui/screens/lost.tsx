/**
 * @module ui/screens/lost
 * Lost or new phone (DOMAIN.md §1.2): how to report the loss (the issuer's citizen page, the
 * helpline) so that every card on that device is suspended, how the cards come back on a new phone
 * (re-issuance offers; accepting them revokes the old device's cards), the device id to quote, and
 * the factory reset. Reachable without unlocking.
 */
import { type ReactNode, useEffect, useState } from 'react';
import { Layout, Notice } from '../components.js';
import { useI18n } from '../i18n.js';
import { navigate } from '../router.js';
import { useWallet } from '../wallet-context.js';

/** The lost-phone screen. */
export function Lost(): ReactNode {
  const { t } = useI18n();
  const { wallet, refresh } = useWallet();
  const [device, setDevice] = useState<string | undefined>(undefined);
  const [confirm, setConfirm] = useState(false);
  const [done, setDone] = useState(false);
  useEffect(() => {
    void wallet.deviceId().then(setDevice);
  }, [wallet]);
  const report = wallet.config.lossReportUrl;
  return (
    <Layout title={t('lostTitle')} back="/">
      <p className="lead">{t('lostIntro')}</p>
      <section aria-labelledby="l1">
        <h2 id="l1">{t('lostStep1Title')}</h2>
        <p>{t('lostStep1', { helpline: wallet.config.helpline })}</p>
        {report !== undefined && (
          <p>
            <a href={report} rel="noopener noreferrer" target="_blank">
              {t('lostReportLink')}
            </a>
          </p>
        )}
        {device !== undefined && <p className="mono">{t('lostDeviceId', { id: device })}</p>}
      </section>
      <section aria-labelledby="l2">
        <h2 id="l2">{t('lostStep2Title')}</h2>
        <p>{t('lostStep2')}</p>
      </section>
      <section aria-labelledby="l3">
        <h2 id="l3">{t('lostStep3Title')}</h2>
        <p>{t('lostStep3')}</p>
        {done ? (
          <Notice kind="success">{t('resetDone')}</Notice>
        ) : confirm ? (
          <div className="confirm" role="alert">
            <p>{t('resetBody')}</p>
            <button
              type="button"
              className="danger"
              onClick={async () => {
                await wallet.vault.factoryReset();
                setDone(true);
                await refresh();
              }}
            >
              {t('resetConfirm')}
            </button>
            <button type="button" className="secondary" onClick={() => setConfirm(false)}>
              {t('cancel')}
            </button>
          </div>
        ) : (
          <button type="button" className="danger-outline" onClick={() => setConfirm(true)}>
            {t('resetTitle')}
          </button>
        )}
      </section>
      <button type="button" className="secondary" onClick={() => navigate('/')}>
        {t('back')}
      </button>
    </Layout>
  );
}
