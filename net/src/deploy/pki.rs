//! The deployment's certificate authority: a CA made for one `deploy init` (its private key
//! only in memory, never written) that issues each host's TLS certificate.

use dsmpc_roles::error::RolesError;

/// A per-deployment certificate authority (ECDSA P-256), in memory only.
pub struct Pki {
    issuer: rcgen::CertifiedIssuer<'static, rcgen::KeyPair>,
}

impl Pki {
    /// A new CA.
    pub fn new() -> std::result::Result<Pki, rcgen::Error> {
        let mut p = rcgen::CertificateParams::new(Vec::<String>::new())?;
        p.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        p.distinguished_name
            .push(rcgen::DnType::CommonName, "dsmpc deployment CA");
        p.key_usages = vec![rcgen::KeyUsagePurpose::KeyCertSign, rcgen::KeyUsagePurpose::CrlSign];
        let issuer = rcgen::CertifiedIssuer::self_signed(p, rcgen::KeyPair::generate()?)?;
        Ok(Pki { issuer })
    }

    /// The CA certificate, PEM.
    pub fn ca_pem(&self) -> String {
        self.issuer.pem()
    }

    /// A certificate for host `name` (SAN and CN `name`, client and server use) and its key, PEM.
    pub fn issue(&self, name: &str) -> std::result::Result<(String, String), rcgen::Error> {
        let mut p = rcgen::CertificateParams::new(vec![name.to_string()])?;
        p.distinguished_name.push(rcgen::DnType::CommonName, name);
        p.extended_key_usages = vec![
            rcgen::ExtendedKeyUsagePurpose::ServerAuth,
            rcgen::ExtendedKeyUsagePurpose::ClientAuth,
        ];
        let key = rcgen::KeyPair::generate()?;
        let cert = p.signed_by(&key, &self.issuer)?;
        Ok((cert.pem(), key.serialize_pem()))
    }
}

/// A certificate error, as a configuration error.
pub(super) fn tls_err(e: rcgen::Error) -> RolesError {
    RolesError::Config(format!("certificate generation: {e}"))
}
