//! Strict input before the application: the service's own limits on the request line and the
//! request head (below actix-http's), a well-formed HTTP/1.1 request line, and UTF-8 after
//! percent-decoding in the path and the query. Refusals are problem documents like every other.
//!
//! Two places apply these rules. The connection screen (`app::server`) reads the first request
//! head of every connection before actix-http parses it ([`screen_head`]); the `request_context`
//! middleware checks every request actix-http did parse ([`refusal`]), which covers the later
//! requests of a kept-alive connection up to actix-http's own limit.
//!
//! actix-http 3.20's limits, for the record: it buffers at most 128 KiB (`MAX_BUFFER_SIZE`,
//! 131,072 bytes) of an unparsed request head and takes at most 96 header fields
//! (`MAX_HEADERS`); beyond either it answers a bare 431 with no body. It has no limit of its own
//! on the request line apart from that buffer, and a request line it cannot parse gets a bare 400.

use actix_web::dev::ServiceRequest;
use actix_web::http::StatusCode;
use actix_web::web;

use super::fallback::RouteTable;
use super::problem::{ApiError, FieldError, ProblemKind};
use crate::text::{Lang, Text};

/// The longest request line (method, target and version) the service takes, in bytes.
pub const URI_LIMIT: usize = 8 * 1024;
/// The largest request head (request line and every header field) the service takes, in bytes.
pub const HEAD_LIMIT: usize = 16 * 1024;
/// The most header fields a request may have.
pub const HEADER_COUNT_LIMIT: usize = 64;

/// `%XX` decoded (and `+` as a space, in a query); invalid escapes are kept as they are.
fn percent_decode(raw: &str, plus_is_space: bool) -> Vec<u8> {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16).map(|d| d as u8);
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                (Some(h), Some(l)) => {
                    out.push(h * 16 + l);
                    i += 3;
                    continue;
                }
                _ => out.push(b'%'),
            },
            b'+' if plus_is_space => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    out
}

/// The query's parameters, decoded as a form decodes them; a name or value that is not UTF-8
/// once decoded is a fault at `/query/NAME` (the name as far as it can be read), never replaced.
pub fn query_pairs(query: &str) -> Result<Vec<(String, String)>, Vec<FieldError>> {
    let mut pairs = Vec::new();
    let mut faults: Vec<FieldError> = Vec::new();
    for piece in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = piece.split_once('=').unwrap_or((piece, ""));
        let name = percent_decode(name, true);
        let value = percent_decode(value, true);
        match (String::from_utf8(name), String::from_utf8(value)) {
            (Ok(name), Ok(value)) => pairs.push((name, value)),
            (name, _) => {
                let name = match name {
                    Ok(name) => name,
                    Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
                };
                let pointer = format!("/query/{}", super::collect::escape(&name));
                if !faults.iter().any(|f| f.pointer == pointer) {
                    faults.push(FieldError::new(
                        pointer,
                        "invalid-encoding",
                        Text::ParameterNotUtf8 { name }.msg(),
                    ));
                }
            }
        }
    }
    if faults.is_empty() {
        Ok(pairs)
    } else {
        Err(faults)
    }
}

/// The fault of a path that is not UTF-8 once decoded: at `/path/NAME` when the segment is a
/// parameter of a documented route, else at `/path`.
pub fn path_fault(path: &str, routes: Option<&RouteTable>) -> Option<FieldError> {
    let segments: Vec<&str> = path.split('/').collect();
    let bad = segments
        .iter()
        .position(|s| String::from_utf8(percent_decode(s, false)).is_err())?;
    let pointer = routes
        .and_then(|r| r.parameter_at(path, bad))
        .map(|name| format!("/path/{name}"))
        .unwrap_or_else(|| "/path".to_string());
    Some(FieldError::new(
        pointer,
        "invalid-encoding",
        Text::PathNotUtf8.msg(),
    ))
}

/// What the service refuses of a request actix-http has parsed, before routing: a request target
/// or head over the service's limits, a path or query that is not UTF-8.
pub fn refusal(req: &ServiceRequest) -> Option<ApiError> {
    let target = req
        .uri()
        .path_and_query()
        .map_or(req.uri().path().len(), |pq| pq.as_str().len());
    // "GET " + target + " HTTP/1.1"
    let line = req.method().as_str().len() + 1 + target + 9;
    if line > URI_LIMIT {
        return Some(ApiError::new(
            ProblemKind::UriTooLong,
            Text::UriTooLong { max: URI_LIMIT }.msg(),
        ));
    }
    let headers = req.headers();
    if headers.len() > HEADER_COUNT_LIMIT {
        return Some(ApiError::new(
            ProblemKind::HeaderFieldsTooLarge,
            Text::TooManyHeaders {
                max: HEADER_COUNT_LIMIT,
            }
            .msg(),
        ));
    }
    // Each field as it was sent: "name: value\r\n".
    let head = line
        + 2
        + headers
            .iter()
            .map(|(n, v)| n.as_str().len() + 2 + v.len() + 2)
            .sum::<usize>()
        + 2;
    if head > HEAD_LIMIT {
        return Some(ApiError::new(
            ProblemKind::HeaderFieldsTooLarge,
            Text::HeadTooLarge { max: HEAD_LIMIT }.msg(),
        ));
    }
    let routes = req.app_data::<web::Data<RouteTable>>();
    let mut faults = Vec::new();
    if let Some(fault) = path_fault(req.uri().path(), routes.map(|r| r.get_ref())) {
        faults.push(fault);
    }
    if let Err(query) = query_pairs(req.query_string()) {
        faults.extend(query);
    }
    (!faults.is_empty()).then(|| ApiError::validation(faults))
}

/// What the connection screen makes of the bytes of a request head read so far.
#[derive(Debug)]
pub enum Screen {
    /// Not enough to decide: read more.
    Incomplete,
    /// A head within the limits: actix-http takes the connection.
    Pass,
    /// Refused, with this problem; `lang` from the head's `Accept-Language` when it was read.
    Refuse(ApiError, Lang),
}

fn is_token(bytes: &[u8]) -> bool {
    !bytes.is_empty()
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(b))
}

/// A head over one of the service's limits (`text` names it).
fn over_limit(kind: ProblemKind, text: Text, lang: Lang) -> Screen {
    Screen::Refuse(ApiError::new(kind, text.msg()), lang)
}

/// A head that has not ended yet: incomplete while it is within `limit`, refused beyond it.
fn cut_short(len: usize, limit: usize, kind: ProblemKind, text: Text) -> Screen {
    if len > limit {
        over_limit(kind, text, Lang::En)
    } else {
        Screen::Incomplete
    }
}

fn malformed() -> ApiError {
    ApiError::new(ProblemKind::MalformedRequest, Text::MalformedRequest.msg())
}

/// Screens the first request head of a connection (`buf`: everything read so far).
pub fn screen_head(buf: &[u8]) -> Screen {
    // RFC 9112 2.2: empty lines before the request line are ignored.
    let start = buf
        .iter()
        .position(|b| *b != b'\r' && *b != b'\n')
        .unwrap_or(buf.len());
    let buf = &buf[start..];
    let Some(line_end) = buf.iter().position(|b| *b == b'\n') else {
        return cut_short(
            buf.len(),
            URI_LIMIT,
            ProblemKind::UriTooLong,
            Text::UriTooLong { max: URI_LIMIT },
        );
    };
    let line = buf[..line_end]
        .strip_suffix(b"\r")
        .unwrap_or(&buf[..line_end]);
    if line.len() > URI_LIMIT {
        return over_limit(
            ProblemKind::UriTooLong,
            Text::UriTooLong { max: URI_LIMIT },
            Lang::En,
        );
    }
    let parts: Vec<&[u8]> = line.split(|b| *b == b' ').collect();
    let well_formed = parts.len() == 3
        && is_token(parts[0])
        && !parts[1].is_empty()
        && parts[1].iter().all(|b| b.is_ascii_graphic())
        && matches!(parts[2], b"HTTP/1.1" | b"HTTP/1.0");
    if !well_formed {
        return Screen::Refuse(malformed(), Lang::En);
    }
    let end = buf.windows(4).position(|w| w == b"\r\n\r\n");
    let Some(end) = end else {
        return cut_short(
            buf.len(),
            HEAD_LIMIT,
            ProblemKind::HeaderFieldsTooLarge,
            Text::HeadTooLarge { max: HEAD_LIMIT },
        );
    };
    let head = &buf[..end + 4];
    let fields: Vec<&[u8]> = head[line_end + 1..end]
        .split(|b| *b == b'\n')
        .map(|f| f.strip_suffix(b"\r").unwrap_or(f))
        .filter(|f| !f.is_empty())
        .collect();
    let lang = fields
        .iter()
        .filter_map(|f| std::str::from_utf8(f).ok())
        .filter_map(|f| f.split_once(':'))
        .find(|(name, _)| name.eq_ignore_ascii_case("accept-language"))
        .map_or(Lang::En, |(_, v)| {
            Lang::from_accept_language(Some(v.trim()))
        });
    if head.len() > HEAD_LIMIT {
        return over_limit(
            ProblemKind::HeaderFieldsTooLarge,
            Text::HeadTooLarge { max: HEAD_LIMIT },
            lang,
        );
    }
    if fields.len() > HEADER_COUNT_LIMIT {
        return over_limit(
            ProblemKind::HeaderFieldsTooLarge,
            Text::TooManyHeaders {
                max: HEADER_COUNT_LIMIT,
            },
            lang,
        );
    }
    let fields_ok = fields.iter().all(|f| {
        f.iter()
            .position(|b| *b == b':')
            .is_some_and(|colon| is_token(&f[..colon]))
    });
    if !fields_ok {
        return Screen::Refuse(malformed(), lang);
    }
    Screen::Pass
}

/// A complete HTTP/1.1 response for a refusal made before actix-http: the problem document,
/// `Connection: close`.
pub fn refusal_response(error: &ApiError, lang: Lang, request_id: &str) -> Vec<u8> {
    let body = serde_json::to_string(&error.body(lang, None, Some(request_id)))
        .expect("a problem document serialises");
    let status: StatusCode = error.kind.status();
    format!(
        "HTTP/1.1 {} {}\r\ncontent-type: {}\r\ncontent-language: {}\r\ncache-control: no-store\r\nx-request-id: {request_id}\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
        status.as_u16(),
        status.canonical_reason().unwrap_or(""),
        super::problem::PROBLEM_JSON,
        if lang == Lang::Sv { "sv" } else { "en" },
        body.len(),
    )
    .into_bytes()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(head: &[u8]) -> Option<u16> {
        match screen_head(head) {
            Screen::Refuse(e, _) => Some(e.kind.status().as_u16()),
            Screen::Pass => Some(0),
            Screen::Incomplete => None,
        }
    }

    #[test]
    fn the_screen_refuses_what_the_service_does_not_take() {
        assert_eq!(status(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"), Some(0));
        assert_eq!(status(b"\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n"), Some(0));
        assert_eq!(status(b"GET / HTTP/1.1\r\nHost: x\r\n"), None);
        assert_eq!(status(b"GET / HTT"), None);
        assert_eq!(status(b"GET / HTTP/1.1 extra\r\n\r\n"), Some(400));
        assert_eq!(status(b"G(T / HTTP/1.1\r\n\r\n"), Some(400));
        assert_eq!(status(b"GET / HTTP/1.1\r\nno colon\r\n\r\n"), Some(400));
        let long = format!("GET /{} HTTP/1.1\r\n", "a".repeat(URI_LIMIT));
        assert_eq!(status(long.as_bytes()), Some(414));
        assert_eq!(status(&long.as_bytes()[..URI_LIMIT + 1]), Some(414));
        let big = format!("GET / HTTP/1.1\r\nA: {}\r\n\r\n", "b".repeat(HEAD_LIMIT));
        assert_eq!(status(big.as_bytes()), Some(431));
        assert_eq!(status(&big.as_bytes()[..HEAD_LIMIT + 1]), Some(431));
        let many = format!("GET / HTTP/1.1\r\n{}\r\n", "A: b\r\n".repeat(65));
        assert_eq!(status(many.as_bytes()), Some(431));
    }

    #[test]
    fn a_query_or_path_that_is_not_utf8_is_a_fault_never_replaced() {
        let faults = query_pairs("a=1&q=%FF%FE&b=%C3%A5").unwrap_err();
        assert_eq!(faults.len(), 1);
        assert_eq!(faults[0].pointer, "/query/q");
        let pairs = query_pairs("a=1+2&b=%C3%A5&c&=x").unwrap();
        assert_eq!(
            pairs,
            vec![
                ("a".into(), "1 2".into()),
                ("b".into(), "å".into()),
                ("c".into(), "".into()),
                ("".into(), "x".into())
            ]
        );
        assert_eq!(query_pairs("q=100%").unwrap()[0].1, "100%");
        assert!(path_fault("/api/v1/partners/%C3%A5", None).is_none());
        assert_eq!(
            path_fault("/api/v1/partners/%FF", None).unwrap().pointer,
            "/path"
        );
    }
}
