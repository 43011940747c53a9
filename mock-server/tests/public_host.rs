//! A server on an advertised host (`Options::with_public_host`), tested on
//! loopback only: `127.0.0.2` is a loopback address on Linux (all of
//! 127.0.0.0/8 routes to `lo`), so binding it reaches nothing off the
//! machine. The listeners bind it, the URLs name it, the good certificates
//! verify for it with rustls and the bad ones stay bad for it.

mod common;

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::time::Duration;

use common::*;
use futures_util::{SinkExt, StreamExt};
use mock_server::{Error, MockServer, Options, CERT_CASES};
use rustls::{CertificateError, Error as TlsError};
use rustls_pki_types::ServerName;
use tokio::net::TcpStream;
use tokio_rustls::TlsConnector;
use tokio_tungstenite::tungstenite::Message;

const HOST: &str = "127.0.0.2";

fn options() -> Options {
    Options {
        header_timeout: Duration::from_secs(3),
        close_timeout: Duration::from_secs(3),
        ..Options::default()
    }
}

/// The rustls verdict on `listener`'s certificate for the name `host`.
async fn tls_result(server: &MockServer, listener: &str, host: &str) -> Result<(), TlsError> {
    let tcp = TcpStream::connect(server.addr(listener).unwrap())
        .await
        .unwrap();
    let name = ServerName::try_from(host.to_owned()).unwrap();
    let connector = TlsConnector::from(client_config(server.ca_pem()));
    match tokio::time::timeout(T, connector.connect(name, tcp))
        .await
        .expect("TLS result in time")
    {
        Ok(_) => Ok(()),
        Err(e) => Err(e
            .get_ref()
            .and_then(|i| i.downcast_ref::<TlsError>())
            .cloned()
            .unwrap_or_else(|| panic!("not a rustls error: {e}"))),
    }
}

/// What each certificate case must give for a client that trusts the test
/// CA and names `host`.
async fn assert_each_case(server: &MockServer, host: &str) {
    for case in CERT_CASES {
        let got = tls_result(server, &format!("wss.{case}"), host).await;
        let ok = match *case {
            // `revoked` verifies for a client without the CRL.
            "valid" | "intermediate" | "revoked" => got.is_ok(),
            "expired" => matches!(
                got,
                Err(TlsError::InvalidCertificate(
                    CertificateError::Expired | CertificateError::ExpiredContext { .. }
                ))
            ),
            "not-yet-valid" => matches!(
                got,
                Err(TlsError::InvalidCertificate(
                    CertificateError::NotValidYet | CertificateError::NotValidYetContext { .. }
                ))
            ),
            "wrong-host" => matches!(
                got,
                Err(TlsError::InvalidCertificate(
                    CertificateError::NotValidForName
                        | CertificateError::NotValidForNameContext { .. }
                ))
            ),
            "self-signed" | "unknown-ca" | "missing-intermediate" => {
                got == Err(TlsError::InvalidCertificate(
                    CertificateError::UnknownIssuer,
                ))
            }
            other => panic!("a certificate case this test does not know: {other}"),
        };
        assert!(ok, "wss.{case} for {host}: got {got:?}");
    }
}

#[tokio::test]
async fn the_listeners_bind_the_advertised_ip_and_their_urls_name_it() {
    let server = start_with(Options {
        control: true,
        ..options().with_public_host(HOST)
    })
    .await;
    let host_ip = IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2));
    for (name, url) in &server.endpoints().listeners {
        let addr = server.addr(name).unwrap();
        assert_eq!(addr.ip(), host_ip, "{name}");
        let scheme = if name == "ws" || name == "tcp.closed" {
            "ws"
        } else {
            "wss"
        };
        assert_eq!(url, &format!("{scheme}://{HOST}:{}", addr.port()), "{name}");
    }
    // The control API is the runner's: it stays on 127.0.0.1.
    assert_eq!(
        server.addr("control").unwrap().ip(),
        IpAddr::V4(Ipv4Addr::LOCALHOST)
    );
    let session = server.create_session();
    assert!(session
        .url("wss.valid", "echo")
        .starts_with(&format!("wss://{HOST}:")));
}

#[tokio::test]
async fn a_client_reaches_the_advertised_urls_over_ws_and_wss() {
    let server = start_with(options().with_public_host(HOST)).await;
    let session = server.create_session();
    for listener in ["ws", "wss.valid"] {
        let url = session.url(listener, "echo");
        // `connect` opens TCP to the URL's authority and, for wss, checks
        // the certificate against the URL's host.
        let mut ws = connect(&server, &url, &[]).await;
        ws.send(Message::text("hi")).await.unwrap();
        let echoed = tokio::time::timeout(T, ws.next()).await.unwrap().unwrap();
        assert_eq!(echoed.unwrap(), Message::text("hi"), "{url}");
    }
}

#[tokio::test]
async fn each_certificate_case_keeps_its_verdict_for_the_advertised_ip() {
    let server = start_with(options().with_public_host(HOST)).await;
    assert_each_case(&server, HOST).await;
    // The loopback names stay on the good certificates.
    assert_each_case(&server, "127.0.0.1").await;
    assert_each_case(&server, "localhost").await;
}

#[tokio::test]
async fn without_a_public_host_the_good_certificates_do_not_name_another_address() {
    let server = start_with(options()).await;
    assert!(matches!(
        tls_result(&server, "wss.valid", HOST).await,
        Err(TlsError::InvalidCertificate(
            CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. }
        ))
    ));
    assert!(server
        .base_url("ws")
        .unwrap()
        .starts_with("ws://127.0.0.1:"));
}

/// A host name is a DNS name SAN. The bind stays on loopback here (the
/// tests never listen off the machine), set by hand instead of by
/// `with_public_host`, which would bind every interface for a name.
#[tokio::test]
async fn each_certificate_case_keeps_its_verdict_for_an_advertised_name() {
    let name = "device-test.example";
    let server = start_with(Options {
        public_host: Some(name.into()),
        ..options()
    })
    .await;
    assert_each_case(&server, name).await;
    assert!(server
        .base_url("wss.valid")
        .unwrap()
        .starts_with(&format!("wss://{name}:")));
}

#[test]
fn an_ip_is_bound_as_given_and_a_name_binds_every_interface() {
    let bind = |host: &str| Options::default().with_public_host(host).bind;
    assert_eq!(bind(HOST), IpAddr::V4(Ipv4Addr::new(127, 0, 0, 2)));
    assert_eq!(
        bind("192.168.1.20"),
        IpAddr::V4(Ipv4Addr::new(192, 168, 1, 20))
    );
    assert_eq!(bind("[::1]"), IpAddr::V6(Ipv6Addr::LOCALHOST));
    assert_eq!(bind("::1"), IpAddr::V6(Ipv6Addr::LOCALHOST));
    assert_eq!(bind("my-laptop.local"), IpAddr::V4(Ipv4Addr::UNSPECIFIED));
    assert_eq!(Options::default().bind, IpAddr::V4(Ipv4Addr::LOCALHOST));
    assert_eq!(Options::default().public_host, None);
}

#[tokio::test]
async fn a_public_host_that_is_neither_an_ip_nor_a_name_is_refused() {
    for host in ["", "my laptop", "host/x", "host:80"] {
        let err = MockServer::start(Options {
            public_host: Some(host.into()),
            ..options()
        })
        .await
        .unwrap_err();
        assert!(matches!(&err, Error::PublicHost { .. }), "{host:?}: {err}");
        assert!(err.to_string().contains("public host"), "{err}");
    }
}
