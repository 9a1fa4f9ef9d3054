//! The ID token's signature (OIDC Core §3.1.3.7 item 6, RFC 7515 JWS compact serialization),
//! checked against the provider's published keys (RFC 7517 JWK Set at the discovery
//! document's `jwks_uri`): RS256/384/512, PS256/384/512, ES256, ES384 and `EdDSA` (Ed25519),
//! verified with `ring` (already in the build for TLS). `none` and the HMAC algorithms are
//! refused: a public client has no shared secret to check them with.
//!
//! The key sets are cached per URL for an hour; a token naming a key id the cached set lacks
//! (the provider rotated its keys) fetches the set again, at most once a minute per URL, so a
//! stream of forged key ids cannot make the server hammer the provider.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use ring::signature::{self, RsaPublicKeyComponents, UnparsedPublicKey};
use serde::Deserialize;

/// How long a fetched key set is used without asking again.
const KEEP: Duration = Duration::from_hours(1);
/// The shortest time between two fetches of the same set (on an unknown key id).
const REFETCH_AFTER: Duration = Duration::from_mins(1);

/// One public key of a JWK Set (RFC 7517 §4, RFC 7518 §6).
#[derive(Debug, Clone, Deserialize)]
pub struct Jwk {
    /// `RSA`, `EC` or `OKP`.
    pub kty: String,
    /// Key id.
    #[serde(default)]
    pub kid: Option<String>,
    /// The algorithm it is for, when the provider says.
    #[serde(default)]
    pub alg: Option<String>,
    /// `sig` or `enc`, when the provider says.
    #[serde(default, rename = "use")]
    pub use_: Option<String>,
    /// RSA modulus.
    #[serde(default)]
    pub n: Option<String>,
    /// RSA exponent.
    #[serde(default)]
    pub e: Option<String>,
    /// EC / OKP curve.
    #[serde(default)]
    pub crv: Option<String>,
    /// EC x coordinate, or the OKP public key.
    #[serde(default)]
    pub x: Option<String>,
    /// EC y coordinate.
    #[serde(default)]
    pub y: Option<String>,
}

/// A JWK Set.
#[derive(Debug, Clone, Deserialize)]
pub struct JwkSet {
    /// Its keys.
    pub keys: Vec<Jwk>,
}

/// Why a signature was not accepted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// Not a JWS compact serialization, or its header is unreadable.
    Malformed,
    /// An algorithm that is not accepted (`none`, HMAC, unknown).
    Algorithm(String),
    /// No key of the set fits the token (unknown key id, or none of its type).
    UnknownKey,
    /// The signature does not verify.
    BadSignature,
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Refusal::Malformed => f.write_str("ID token is not a signed JWT"),
            Refusal::Algorithm(a) => write!(f, "ID token signed with {a}, which is not accepted"),
            Refusal::UnknownKey => {
                f.write_str("ID token signed by a key the provider does not publish")
            }
            Refusal::BadSignature => f.write_str("ID token signature does not verify"),
        }
    }
}

#[derive(Deserialize)]
struct Header {
    alg: String,
    #[serde(default)]
    kid: Option<String>,
}

fn b64(s: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(s.trim_end_matches('=')).ok()
}

/// The token's key id (to know whether the cached set can answer).
pub fn key_id(token: &str) -> Option<String> {
    let header = token.split('.').next()?;
    serde_json::from_slice::<Header>(&b64(header)?).ok()?.kid
}

/// Verifies the signature of a JWS compact token against `set`. Returns the payload's bytes.
///
/// # Errors
/// The token is malformed, signed with an algorithm not accepted, by a key not in the set, or
/// the signature does not verify.
pub fn verify(token: &str, set: &JwkSet) -> Result<Vec<u8>, Refusal> {
    let mut parts = token.split('.');
    let (Some(h), Some(p), Some(s), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Refusal::Malformed);
    };
    let header: Header = b64(h)
        .and_then(|b| serde_json::from_slice(&b).ok())
        .ok_or(Refusal::Malformed)?;
    let sig = b64(s).ok_or(Refusal::Malformed)?;
    let payload = b64(p).ok_or(Refusal::Malformed)?;
    let kty = match header.alg.as_str() {
        "RS256" | "RS384" | "RS512" | "PS256" | "PS384" | "PS512" => "RSA",
        "ES256" | "ES384" => "EC",
        "EdDSA" => "OKP",
        other => return Err(Refusal::Algorithm(other.to_owned())),
    };
    let candidates: Vec<&Jwk> = set
        .keys
        .iter()
        .filter(|k| k.kty == kty)
        .filter(|k| k.use_.as_deref().is_none_or(|u| u == "sig"))
        .filter(|k| k.alg.as_deref().is_none_or(|a| a == header.alg))
        .filter(|k| header.kid.is_none() || k.kid == header.kid)
        .collect();
    if candidates.is_empty() {
        return Err(Refusal::UnknownKey);
    }
    // The signed bytes: the first two segments as sent (RFC 7515 §5.2 item 8).
    let message = &token.as_bytes()[..h.len() + 1 + p.len()];
    if candidates
        .iter()
        .any(|k| verify_with(k, &header.alg, message, &sig))
    {
        Ok(payload)
    } else {
        Err(Refusal::BadSignature)
    }
}

fn verify_with(key: &Jwk, alg: &str, message: &[u8], sig: &[u8]) -> bool {
    let field = |v: &Option<String>| v.as_deref().and_then(b64);
    match key.kty.as_str() {
        "RSA" => {
            let (Some(n), Some(e)) = (field(&key.n), field(&key.e)) else {
                return false;
            };
            let strip = |v: &[u8]| v[v.iter().take_while(|b| **b == 0).count()..].to_vec();
            let params = match alg {
                "RS256" => &signature::RSA_PKCS1_2048_8192_SHA256,
                "RS384" => &signature::RSA_PKCS1_2048_8192_SHA384,
                "RS512" => &signature::RSA_PKCS1_2048_8192_SHA512,
                "PS256" => &signature::RSA_PSS_2048_8192_SHA256,
                "PS384" => &signature::RSA_PSS_2048_8192_SHA384,
                "PS512" => &signature::RSA_PSS_2048_8192_SHA512,
                _ => return false,
            };
            RsaPublicKeyComponents {
                n: strip(&n),
                e: strip(&e),
            }
            .verify(params, message, sig)
            .is_ok()
        }
        "EC" => {
            let (Some(x), Some(y)) = (field(&key.x), field(&key.y)) else {
                return false;
            };
            let (alg, len): (&'static dyn signature::VerificationAlgorithm, usize) =
                match (alg, key.crv.as_deref()) {
                    ("ES256", Some("P-256")) => (&signature::ECDSA_P256_SHA256_FIXED, 32),
                    ("ES384", Some("P-384")) => (&signature::ECDSA_P384_SHA384_FIXED, 48),
                    _ => return false,
                };
            if x.len() != len || y.len() != len {
                return false;
            }
            // SEC 1 §2.3.3: an uncompressed point.
            let mut point = Vec::with_capacity(1 + 2 * len);
            point.push(4);
            point.extend_from_slice(&x);
            point.extend_from_slice(&y);
            UnparsedPublicKey::new(alg, point)
                .verify(message, sig)
                .is_ok()
        }
        "OKP" => {
            let Some(x) = field(&key.x) else {
                return false;
            };
            key.crv.as_deref() == Some("Ed25519")
                && UnparsedPublicKey::new(&signature::ED25519, x)
                    .verify(message, sig)
                    .is_ok()
        }
        _ => false,
    }
}

struct Cached {
    set: Arc<JwkSet>,
    fetched: Instant,
}

fn cache() -> &'static Mutex<HashMap<String, Cached>> {
    static CACHE: OnceLock<Mutex<HashMap<String, Cached>>> = OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The cached key set of `url`, or `None` when it must be fetched: never fetched, an hour old,
/// or lacking the token's key id and fetched more than a minute ago.
pub fn cached(url: &str, kid: Option<&str>) -> Option<Arc<JwkSet>> {
    let map = cache()
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let c = map.get(url)?;
    let age = c.fetched.elapsed();
    if age >= KEEP {
        return None;
    }
    let knows = kid.is_none_or(|kid| c.set.keys.iter().any(|k| k.kid.as_deref() == Some(kid)));
    // An unknown key id: the provider may have rotated; ask again unless it was just asked.
    if !knows && age >= REFETCH_AFTER {
        return None;
    }
    Some(Arc::clone(&c.set))
}

/// Remembers the key set fetched from `url`.
pub fn remember(url: &str, set: JwkSet) -> Arc<JwkSet> {
    let set = Arc::new(set);
    cache()
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .insert(
            url.to_owned(),
            Cached {
                set: Arc::clone(&set),
                fetched: Instant::now(),
            },
        );
    set
}

#[cfg(test)]
mod tests {
    use super::*;
    use ring::rand::SystemRandom;
    use ring::signature::{ECDSA_P256_SHA256_FIXED_SIGNING, EcdsaKeyPair, KeyPair as _};

    fn key_pair() -> EcdsaKeyPair {
        let rng = SystemRandom::new();
        let pkcs8 =
            EcdsaKeyPair::generate_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, &rng).expect("generate");
        EcdsaKeyPair::from_pkcs8(&ECDSA_P256_SHA256_FIXED_SIGNING, pkcs8.as_ref(), &rng)
            .expect("key pair")
    }

    fn jwk(pair: &EcdsaKeyPair, kid: &str) -> Jwk {
        let point = pair.public_key().as_ref();
        Jwk {
            kty: "EC".into(),
            kid: Some(kid.into()),
            alg: Some("ES256".into()),
            use_: Some("sig".into()),
            n: None,
            e: None,
            crv: Some("P-256".into()),
            x: Some(URL_SAFE_NO_PAD.encode(&point[1..33])),
            y: Some(URL_SAFE_NO_PAD.encode(&point[33..65])),
        }
    }

    fn sign(pair: &EcdsaKeyPair, header: &serde_json::Value, claims: &serde_json::Value) -> String {
        let input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(header.to_string()),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        let sig = pair
            .sign(&SystemRandom::new(), input.as_bytes())
            .expect("sign");
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(sig.as_ref()))
    }

    #[test]
    fn a_token_signed_by_the_published_key_verifies_and_a_forged_one_is_refused() {
        let provider = key_pair();
        let forger = key_pair();
        let set = JwkSet {
            keys: vec![jwk(&provider, "k1")],
        };
        let header = serde_json::json!({"alg": "ES256", "kid": "k1", "typ": "JWT"});
        let claims = serde_json::json!({"sub": "u1", "nonce": "n"});
        let good = sign(&provider, &header, &claims);
        assert_eq!(
            verify(&good, &set).expect("verifies"),
            claims.to_string().into_bytes()
        );
        // Another key claiming the provider's key id.
        let by_forger = sign(&forger, &header, &claims);
        assert_eq!(verify(&by_forger, &set), Err(Refusal::BadSignature));
        // The provider's signature over other claims (the payload swapped).
        let mut parts: Vec<&str> = good.split('.').collect();
        let other = URL_SAFE_NO_PAD.encode(serde_json::json!({"sub": "admin"}).to_string());
        parts[1] = &other;
        assert_eq!(verify(&parts.join("."), &set), Err(Refusal::BadSignature));
        // A key id the set does not have.
        let unknown = sign(
            &provider,
            &serde_json::json!({"alg": "ES256", "kid": "k9"}),
            &claims,
        );
        assert_eq!(verify(&unknown, &set), Err(Refusal::UnknownKey));
        // Unsigned and HMAC tokens.
        for alg in ["none", "HS256"] {
            let h =
                URL_SAFE_NO_PAD.encode(serde_json::json!({"alg": alg, "kid": "k1"}).to_string());
            let p = URL_SAFE_NO_PAD.encode(claims.to_string());
            assert_eq!(
                verify(&format!("{h}.{p}.c2ln"), &set),
                Err(Refusal::Algorithm(alg.into()))
            );
        }
        assert_eq!(verify("e30.e30", &set), Err(Refusal::Malformed));
        assert_eq!(key_id(&good).as_deref(), Some("k1"));
    }

    #[test]
    fn the_cache_asks_again_for_an_unknown_key_id_only_after_a_minute() {
        let url = "https://cache-test.example/jwks";
        let provider = key_pair();
        remember(
            url,
            JwkSet {
                keys: vec![jwk(&provider, "k1")],
            },
        );
        assert!(cached(url, Some("k1")).is_some());
        // Just fetched: an unknown id is not a reason to fetch again yet.
        assert!(cached(url, Some("k2")).is_some());
        assert!(cached("https://other.example/jwks", None).is_none());
    }
}
