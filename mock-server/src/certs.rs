//! The certificate catalogue, made with rcgen at start-up and kept in memory.

use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, CertificateRevocationListParams, DnType,
    ExtendedKeyUsagePurpose, IsCa, Issuer, KeyIdMethod, KeyPair, KeyUsagePurpose, RevocationReason,
    RevokedCertParams, SerialNumber,
};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use time::{Duration, OffsetDateTime};

use crate::error::Error;
use crate::options::bare_ip;

/// The certificate cases, one `wss.<case>` listener each, in listener order.
/// "The good names" are `localhost` and `127.0.0.1`, and the public host
/// when there is one ([`Options::public_host`](crate::Options::public_host):
/// an IP address SAN for an address, a DNS name SAN for a name): every
/// case but `wrong-host` names them, so that its one fault is the only one.
///
/// - `valid`: SAN the good names, signed by the test CA.
/// - `expired`: like `valid`, but its validity ended yesterday.
/// - `not-yet-valid`: like `valid`, but its validity starts tomorrow.
/// - `wrong-host`: signed by the test CA, SAN `wrong.example.invalid` only
///   (never the public host).
/// - `self-signed`: SAN the good names, signed by its own key.
/// - `unknown-ca`: signed by a second CA nobody trusts (served with it).
/// - `intermediate`: signed by an intermediate CA under the test CA, served
///   with the intermediate: a valid chain.
/// - `missing-intermediate`: the same leaf served without its intermediate.
/// - `revoked`: signed by the test CA and listed in its CRL
///   ([`MockServer::crl_pem`](crate::MockServer::crl_pem)); valid for a
///   client that does not check revocation.
pub const CERT_CASES: &[&str] = &[
    "valid",
    "expired",
    "not-yet-valid",
    "wrong-host",
    "self-signed",
    "unknown-ca",
    "intermediate",
    "missing-intermediate",
    "revoked",
];

/// The serial number of the `revoked` leaf (the one listed in the CRL).
const REVOKED_SERIAL: u64 = 0x5e_1ec7;

/// One certificate case: the chain served and its key.
pub(crate) struct CertCase {
    pub(crate) name: &'static str,
    pub(crate) chain: Vec<CertificateDer<'static>>,
    pub(crate) key: PrivateKeyDer<'static>,
}

pub(crate) struct Catalogue {
    pub(crate) ca_pem: String,
    pub(crate) crl_pem: String,
    pub(crate) cases: Vec<CertCase>,
}

struct Ca {
    params: CertificateParams,
    key: KeyPair,
    der: CertificateDer<'static>,
    pem: String,
}

fn err(case: &str) -> impl FnOnce(rcgen::Error) -> Error + '_ {
    move |source| Error::Certificate {
        case: case.to_owned(),
        source,
    }
}

fn make_ca(name: &str, issuer: Option<&Ca>, case: &str) -> Result<Ca, Error> {
    let now = OffsetDateTime::now_utc();
    let mut params = CertificateParams::new(Vec::<String>::new()).map_err(err(case))?;
    params.distinguished_name.push(DnType::CommonName, name);
    params
        .distinguished_name
        .push(DnType::OrganizationName, "connectsocket-conformance");
    params.is_ca = IsCa::Ca(match issuer {
        None => BasicConstraints::Unconstrained,
        Some(_) => BasicConstraints::Constrained(0),
    });
    params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    params.not_before = now - Duration::days(1);
    params.not_after = now + Duration::days(3650);
    let key = KeyPair::generate().map_err(err(case))?;
    let cert = match issuer {
        None => params.self_signed(&key),
        Some(ca) => params.signed_by(&key, &Issuer::from_params(&ca.params, &ca.key)),
    }
    .map_err(err(case))?;
    Ok(Ca {
        der: cert.der().clone(),
        pem: cert.pem(),
        params,
        key,
    })
}

fn leaf(
    case: &'static str,
    serial: Option<u64>,
    names: &[String],
    validity: (OffsetDateTime, OffsetDateTime),
    issuer: Option<&Ca>,
) -> Result<(CertificateDer<'static>, PrivateKeyDer<'static>), Error> {
    // rcgen makes a name that parses as an IP address an IP address SAN,
    // any other a DNS name SAN.
    let mut params = CertificateParams::new(names.to_vec()).map_err(err(case))?;
    params
        .distinguished_name
        .push(DnType::CommonName, format!("mock-server {case}"));
    params.is_ca = IsCa::NoCa;
    params.key_usages = vec![
        KeyUsagePurpose::DigitalSignature,
        KeyUsagePurpose::KeyEncipherment,
    ];
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.not_before = validity.0;
    params.not_after = validity.1;
    params.serial_number = serial.map(SerialNumber::from);
    let key = KeyPair::generate().map_err(err(case))?;
    let cert = match issuer {
        None => params.self_signed(&key),
        Some(ca) => params.signed_by(&key, &Issuer::from_params(&ca.params, &ca.key)),
    }
    .map_err(err(case))?;
    let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der()));
    Ok((cert.der().clone(), key))
}

impl Catalogue {
    /// Generates the test CA and every case; the good certificates also
    /// name `public_host`, when given.
    pub(crate) fn generate(public_host: Option<&str>) -> Result<Catalogue, Error> {
        let now = OffsetDateTime::now_utc();
        let current = (now - Duration::days(1), now + Duration::days(365));
        let past = (now - Duration::days(30), now - Duration::days(1));
        let future = (now + Duration::days(1), now + Duration::days(30));
        let good_names = &good_names(public_host);
        let wrong_names = &["wrong.example.invalid".to_string()];

        let ca = make_ca("connectsocket-conformance test CA", None, "ca")?;
        let rogue = make_ca("connectsocket-conformance untrusted CA", None, "unknown-ca")?;
        let inter = make_ca(
            "connectsocket-conformance intermediate CA",
            Some(&ca),
            "intermediate",
        )?;

        let mut cases = Vec::new();
        let mut push = |name: &'static str,
                        (cert, key): (CertificateDer<'static>, PrivateKeyDer<'static>),
                        extra: Vec<CertificateDer<'static>>| {
            let mut chain = vec![cert];
            chain.extend(extra);
            cases.push(CertCase { name, chain, key });
        };
        push(
            "valid",
            leaf("valid", None, good_names, current, Some(&ca))?,
            vec![],
        );
        push(
            "expired",
            leaf("expired", None, good_names, past, Some(&ca))?,
            vec![],
        );
        push(
            "not-yet-valid",
            leaf("not-yet-valid", None, good_names, future, Some(&ca))?,
            vec![],
        );
        push(
            "wrong-host",
            leaf("wrong-host", None, wrong_names, current, Some(&ca))?,
            vec![],
        );
        push(
            "self-signed",
            leaf("self-signed", None, good_names, current, None)?,
            vec![],
        );
        push(
            "unknown-ca",
            leaf("unknown-ca", None, good_names, current, Some(&rogue))?,
            vec![rogue.der.clone()],
        );
        let (inter_leaf, inter_key) =
            leaf("intermediate", None, good_names, current, Some(&inter))?;
        push(
            "intermediate",
            (inter_leaf.clone(), inter_key.clone_key()),
            vec![inter.der.clone()],
        );
        push("missing-intermediate", (inter_leaf, inter_key), vec![]);
        push(
            "revoked",
            leaf(
                "revoked",
                Some(REVOKED_SERIAL),
                good_names,
                current,
                Some(&ca),
            )?,
            vec![],
        );
        let crl = CertificateRevocationListParams {
            this_update: now - Duration::days(1),
            next_update: now + Duration::days(30),
            crl_number: SerialNumber::from(1u64),
            issuing_distribution_point: None,
            revoked_certs: vec![RevokedCertParams {
                serial_number: SerialNumber::from(REVOKED_SERIAL),
                revocation_time: now - Duration::hours(1),
                reason_code: Some(RevocationReason::KeyCompromise),
                invalidity_date: None,
            }],
            key_identifier_method: KeyIdMethod::Sha256,
        }
        .signed_by(&Issuer::from_params(&ca.params, &ca.key))
        .map_err(err("revoked"))?;
        let crl_pem = crl.pem().map_err(err("revoked"))?;
        debug_assert_eq!(cases.iter().map(|c| c.name).collect::<Vec<_>>(), CERT_CASES);
        Ok(Catalogue {
            ca_pem: ca.pem,
            crl_pem,
            cases,
        })
    }
}

/// The names every good certificate carries: `localhost`, `127.0.0.1` and
/// the public host (an IPv6 address without its brackets).
fn good_names(public_host: Option<&str>) -> Vec<String> {
    let mut names = vec!["localhost".to_string(), "127.0.0.1".to_string()];
    if let Some(host) = public_host {
        let name = bare_ip(host).map_or_else(|| host.to_string(), |ip| ip.to_string());
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// Builds a rustls server configuration for one case, with the ring provider.
pub(crate) fn server_config(case: &CertCase) -> Result<Arc<rustls::ServerConfig>, Error> {
    let tls = |source| Error::Tls {
        case: case.name.to_owned(),
        source,
    };
    let config = rustls::ServerConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(tls)?
    .with_no_client_auth()
    .with_single_cert(case.chain.clone(), case.key.clone_key())
    .map_err(tls)?;
    Ok(Arc::new(config))
}
