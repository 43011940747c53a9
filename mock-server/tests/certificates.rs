//! Each certificate case, checked by a rustls client that trusts only the
//! test CA: the precise verification error, or success.

mod common;

use std::time::Duration;

use common::*;
use mock_server::{Event, CERT_CASES};
use rustls::{CertificateError, Error as TlsError};
use std::sync::Arc;

use rustls::client::WebPkiServerVerifier;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, CertificateRevocationListDer, ServerName};
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;

async fn tls_result(
    server: &mock_server::MockServer,
    listener: &str,
    host: &str,
) -> Result<(), TlsError> {
    let addr = server.addr(listener).unwrap();
    let tcp = TcpStream::connect(addr).await.unwrap();
    let name = ServerName::try_from(host.to_owned()).unwrap();
    let connector = TlsConnector::from(client_config(server.ca_pem()));
    match tokio::time::timeout(T, connector.connect(name, tcp))
        .await
        .expect("TLS result in time")
    {
        Ok(_) => Ok(()),
        Err(e) => {
            let inner = e
                .get_ref()
                .and_then(|i| i.downcast_ref::<TlsError>())
                .cloned();
            Err(inner.unwrap_or_else(|| panic!("not a rustls error: {e}")))
        }
    }
}

#[tokio::test]
async fn the_valid_certificate_verifies_for_the_ip_and_for_localhost() {
    let server = start().await;
    assert_eq!(tls_result(&server, "wss.valid", "127.0.0.1").await, Ok(()));
    assert_eq!(tls_result(&server, "wss.valid", "localhost").await, Ok(()));
}

#[tokio::test]
async fn the_expired_certificate_fails_as_expired() {
    let server = start().await;
    match tls_result(&server, "wss.expired", "127.0.0.1").await {
        Err(TlsError::InvalidCertificate(CertificateError::ExpiredContext { time, not_after })) => {
            assert!(not_after < time)
        }
        Err(TlsError::InvalidCertificate(CertificateError::Expired)) => {}
        other => panic!("Expired expected, got {other:?}"),
    }
}

#[tokio::test]
async fn the_not_yet_valid_certificate_fails_as_not_valid_yet() {
    let server = start().await;
    match tls_result(&server, "wss.not-yet-valid", "127.0.0.1").await {
        Err(TlsError::InvalidCertificate(CertificateError::NotValidYetContext {
            time,
            not_before,
        })) => {
            assert!(not_before > time)
        }
        Err(TlsError::InvalidCertificate(CertificateError::NotValidYet)) => {}
        other => panic!("NotValidYet expected, got {other:?}"),
    }
}

#[tokio::test]
async fn the_wrong_host_certificate_fails_as_not_valid_for_the_name() {
    let server = start().await;
    for host in ["127.0.0.1", "localhost"] {
        match tls_result(&server, "wss.wrong-host", host).await {
            Err(TlsError::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => {}
            other => panic!("{host}: NotValidForName expected, got {other:?}"),
        }
    }
}

#[tokio::test]
async fn self_signed_unknown_ca_and_missing_intermediate_fail_as_unknown_issuer() {
    let server = start().await;
    for listener in [
        "wss.self-signed",
        "wss.unknown-ca",
        "wss.missing-intermediate",
    ] {
        assert_eq!(
            tls_result(&server, listener, "127.0.0.1").await,
            Err(TlsError::InvalidCertificate(
                CertificateError::UnknownIssuer
            )),
            "{listener}"
        );
    }
}

#[tokio::test]
async fn a_chain_through_an_intermediate_verifies() {
    let server = start().await;
    assert_eq!(
        tls_result(&server, "wss.intermediate", "127.0.0.1").await,
        Ok(())
    );
}

#[tokio::test]
async fn the_revoked_certificate_fails_as_revoked_for_a_client_with_the_crl() {
    let server = start().await;
    let addr = server.addr("wss.revoked").unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_slice_iter(server.ca_pem().as_bytes()) {
        roots.add(cert.unwrap()).unwrap();
    }
    let crls: Vec<CertificateRevocationListDer<'static>> =
        CertificateRevocationListDer::pem_slice_iter(server.crl_pem().as_bytes())
            .map(|c| c.unwrap())
            .collect();
    assert_eq!(crls.len(), 1);
    let verifier = WebPkiServerVerifier::builder_with_provider(Arc::new(roots), provider.clone())
        .with_crls(crls)
        .build()
        .unwrap();
    let config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_webpki_verifier(verifier)
        .with_no_client_auth();
    let connector = TlsConnector::from(Arc::new(config));
    let name = ServerName::try_from("127.0.0.1").unwrap();
    let err = connector
        .connect(name.clone(), TcpStream::connect(addr).await.unwrap())
        .await
        .unwrap_err();
    let err = err
        .get_ref()
        .and_then(|e| e.downcast_ref::<TlsError>())
        .cloned();
    assert_eq!(
        err,
        Some(TlsError::InvalidCertificate(CertificateError::Revoked))
    );
    // The same CRL does not reject the valid certificate...
    let valid = server.addr("wss.valid").unwrap();
    assert!(connector
        .connect(name, TcpStream::connect(valid).await.unwrap())
        .await
        .is_ok());
    // ... and without the CRL the revoked certificate verifies.
    assert_eq!(
        tls_result(&server, "wss.revoked", "127.0.0.1").await,
        Ok(())
    );
}

#[tokio::test]
async fn every_certificate_case_has_its_own_wss_listener() {
    let server = start().await;
    for case in CERT_CASES {
        let url = server.base_url(&format!("wss.{case}")).unwrap();
        assert!(url.starts_with("wss://127.0.0.1:"), "{url}");
    }
    let ports: std::collections::BTreeSet<_> = server.endpoints().listeners.values().collect();
    assert_eq!(ports.len(), server.endpoints().listeners.len());
    assert!(server.ca_pem().starts_with("-----BEGIN CERTIFICATE-----"));
}

#[tokio::test]
async fn a_rejected_certificate_is_recorded_in_the_unrouted_log() {
    let server = start().await;
    let _ = tls_result(&server, "wss.expired", "127.0.0.1").await;
    let ev = server
        .wait_for_unrouted(|e| matches!(e.event, Event::TlsFailed { .. }), T)
        .await
        .unwrap_or_else(|e| panic!("{e}: {:#?}", server.unrouted()));
    let accepted = server
        .unrouted()
        .into_iter()
        .find(|e| e.conn == ev.conn)
        .unwrap();
    assert!(
        matches!(accepted.event, Event::Accepted { listener, .. } if listener == "wss.expired")
    );
}

#[tokio::test]
async fn the_hang_listener_accepts_tcp_and_never_answers_the_client_hello() {
    let server = start().await;
    let tcp = TcpStream::connect(server.addr("wss.hang").unwrap())
        .await
        .unwrap();
    let connector = TlsConnector::from(client_config(server.ca_pem()));
    let name = ServerName::try_from("127.0.0.1").unwrap();
    let result =
        tokio::time::timeout(Duration::from_millis(300), connector.connect(name, tcp)).await;
    assert!(result.is_err(), "the TLS handshake must not complete");
    let ev = server
        .wait_for_unrouted(|e| matches!(&e.event, Event::NoResponse { .. }), T)
        .await
        .unwrap();
    assert_eq!(
        ev.event,
        Event::NoResponse {
            fault: "tls-hang".into()
        }
    );
}

#[tokio::test]
async fn tcp_closed_names_a_port_that_refuses_connections() {
    let server = start().await;
    let err = TcpStream::connect(server.addr("tcp.closed").unwrap())
        .await
        .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::ConnectionRefused);
}
