//! The listener. Each connection's first request head is read and screened (`http::strict`)
//! before actix-http sees it: a request line or head over the service's limits, or a request line
//! that is not HTTP/1.1, is answered here with a problem document and `Connection: close`
//! (actix-http would answer some of these with a bare status, or not at all). A head that passes
//! is handed to actix-http with the bytes already read put back in front of the stream.

use std::io;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use actix_http::HttpService;
use actix_service::{
    IntoServiceFactory, Service, ServiceFactory, ServiceFactoryExt, fn_factory, fn_service,
    map_config,
};
use actix_web::ResponseError;
use actix_web::dev::{AppConfig, Server};
use actix_web::rt::net::TcpStream;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};

use super::AppState;
use crate::http::problem::ApiError;
use crate::http::strict::{Screen, refusal_response, screen_head};
use crate::text::Lang;

/// How long a client may take to send its first request head (actix-http's default request
/// timeout; a slower client is handed on, and actix-http answers it 408).
const HEAD_TIMEOUT: Duration = Duration::from_secs(5);
/// After a refusal, what is still arriving is read and dropped (so that closing does not reset
/// the connection before the client has read the answer), for at most this long and this much.
const DRAIN_TIMEOUT: Duration = Duration::from_secs(2);
const DRAIN_LIMIT: usize = 1024 * 1024;

/// A TCP stream with the bytes the screen already read put back in front of it.
pub struct Screened {
    head: Vec<u8>,
    pos: usize,
    io: TcpStream,
}

impl AsyncRead for Screened {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        if this.pos < this.head.len() {
            let n = buf.remaining().min(this.head.len() - this.pos);
            buf.put_slice(&this.head[this.pos..this.pos + n]);
            this.pos += n;
            if this.pos == this.head.len() {
                this.head = Vec::new();
                this.pos = 0;
            }
            return Poll::Ready(Ok(()));
        }
        Pin::new(&mut this.io).poll_read(cx, buf)
    }
}

impl AsyncWrite for Screened {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
}

/// Reads the connection's first request head until the screen decides. `None`: the connection
/// was answered here, or the client went away.
async fn screen(mut io: TcpStream) -> Option<Screened> {
    let mut head = Vec::with_capacity(4096);
    let mut chunk = [0u8; 8192];
    let deadline = tokio::time::Instant::now() + HEAD_TIMEOUT;
    loop {
        let n = match tokio::time::timeout_at(deadline, io.read(&mut chunk)).await {
            Err(_) => break,
            Ok(Ok(0)) | Ok(Err(_)) => return None,
            Ok(Ok(n)) => n,
        };
        head.extend_from_slice(&chunk[..n]);
        match screen_head(&head) {
            Screen::Incomplete => continue,
            Screen::Pass => break,
            Screen::Refuse(error, lang) => {
                refuse(io, &error, lang).await;
                return None;
            }
        }
    }
    Some(Screened { head, pos: 0, io })
}

/// Answers a refused head with its problem document and closes the connection.
async fn refuse(mut io: TcpStream, error: &ApiError, lang: Lang) {
    let request_id = uuid::Uuid::now_v7().to_string();
    let status = error.status_code().as_u16();
    let peer = io
        .peer_addr()
        .map(|a| a.to_string())
        .unwrap_or_else(|_| "?".into());
    log::info!(
        "request_id={request_id} refused before the application: {status} {} from {peer}",
        error.kind.slug()
    );
    metrics::counter!("http_requests_total", "method" => "-", "route" => "refused", "status" => status.to_string()).increment(1);
    if io
        .write_all(&refusal_response(error, lang, &request_id))
        .await
        .is_err()
    {
        return;
    }
    let _ = io.shutdown().await;
    let mut sink = [0u8; 8192];
    let mut drained = 0;
    let deadline = tokio::time::Instant::now() + DRAIN_TIMEOUT;
    while drained < DRAIN_LIMIT {
        match tokio::time::timeout_at(deadline, io.read(&mut sink)).await {
            Ok(Ok(n)) if n > 0 => drained += n,
            _ => break,
        }
    }
}

/// A listener on `address` (the first of its addresses that binds), as actix-web's `HttpServer`
/// makes one: `SO_REUSEADDR`, a backlog of 1,024.
pub fn bind(address: &str) -> io::Result<std::net::TcpListener> {
    use std::net::ToSocketAddrs;
    let mut last = io::Error::new(io::ErrorKind::AddrNotAvailable, "no address to bind");
    for addr in address.to_socket_addrs()? {
        let socket = if addr.is_ipv4() {
            tokio::net::TcpSocket::new_v4()?
        } else {
            tokio::net::TcpSocket::new_v6()?
        };
        socket.set_reuseaddr(true)?;
        match socket.bind(addr).and_then(|()| socket.listen(1024)) {
            Ok(listener) => return listener.into_std(),
            Err(e) => last = e,
        }
    }
    Err(last)
}

/// The server on `listener`: actix-http (HTTP/1.1) with the application, behind the screen.
pub fn serve(listener: std::net::TcpListener, state: AppState) -> io::Result<Server> {
    Ok(Server::build()
        .listen("samverkan", listener, move || {
            let app = super::build(state.clone())
                .into_factory()
                .map_err(|err: actix_web::Error| err.error_response());
            let http = HttpService::<Screened, _, _>::build()
                .h1(map_config(app, |_| AppConfig::default()));
            fn_factory(move || {
                let http = http.new_service(());
                async move {
                    let http = Rc::new(http.await?);
                    Ok::<_, ()>(fn_service(move |io: TcpStream| {
                        let http = Rc::clone(&http);
                        async move {
                            let peer = io.peer_addr().ok();
                            let _ = io.set_nodelay(true);
                            if let Some(io) = screen(io).await
                                && let Err(e) = http.call((io, peer)).await
                            {
                                log::debug!("connection ended with an error: {e}");
                            }
                            Ok::<_, ()>(())
                        }
                    }))
                }
            })
        })?
        .run())
}
