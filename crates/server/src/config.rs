//! Configuration: command-line flags, each with an environment variable of the same meaning,
//! and the `admin` subcommand for departments' staff.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// How the reference server runs.
#[derive(Debug, Clone, Parser)]
#[command(
    name = "onething-server",
    version,
    about = "OneThing reference API server"
)]
pub struct Config {
    /// Address to listen on. Port 0 picks a free port (the chosen address is printed).
    #[arg(long, env = "ONETHING_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// Directory for the SQLite database (unless `--database-url` names another) and uploaded
    /// files; created when missing.
    #[arg(long, env = "ONETHING_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// The database: `sqlite:<file>` or `postgres://user:password@host:port/database` (the
    /// database must exist; the server creates its tables). Without it, the SQLite file
    /// `onething.sqlite` in the data directory.
    #[arg(long, env = "ONETHING_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// Directory of service definitions (`*.toml`).
    #[arg(long, env = "ONETHING_SERVICES_DIR", default_value = "services")]
    pub services_dir: PathBuf,
    /// Directory of the built SPA (Trunk's `dist`). Without it only the API is served.
    #[arg(long, env = "ONETHING_STATIC_DIR")]
    pub static_dir: Option<PathBuf>,
    /// DEVELOPMENT ONLY: serve `POST /api/dev/tickets`, a fake app platform that issues login
    /// tickets for generated test identities. Never enable in production.
    #[arg(long, env = "ONETHING_DEV_TICKETS")]
    pub dev_tickets: bool,
    /// DEVELOPMENT ONLY, and only with `--dev-tickets`: the server's clock starts at this instant
    /// and runs on from there, so the rules can be tried on any day (`YYYY-MM-DD`, 10:00 that
    /// day in China, or `YYYY-MM-DDTHH:MM:SSZ`).
    #[arg(long, env = "ONETHING_DEV_CLOCK", value_parser = dev_clock)]
    pub dev_clock: Option<i64>,
    /// Token of the admin API (`Authorization: Bearer <token>`). Without it the admin API is off.
    #[arg(long, env = "ONETHING_ADMIN_TOKEN", hide_env_values = true)]
    pub admin_token: Option<String>,
    /// File of the master keys that wrap the data keys of personal data at rest: one base64
    /// 32-byte key a line, the first one active. Without it (and without
    /// `ONETHING_MASTER_KEY`), a development key file is made in the data directory.
    #[arg(long, env = "ONETHING_MASTER_KEY_FILE")]
    pub master_key_file: Option<PathBuf>,
    /// The master keys themselves instead of a file (base64, comma-separated, the first one
    /// active). Rotation cannot write a new key here: it only re-wraps under the first one.
    #[arg(long, env = "ONETHING_MASTER_KEY", hide_env_values = true, hide = true)]
    pub master_key: Option<String>,
    /// An app platform's ticket exchange (浙里办, WeChat, Alipay ...): the URL the server calls
    /// with a ticket that is not a development ticket, to learn whose it is. Off without it.
    #[arg(long, env = "ONETHING_TICKET_EXCHANGE_URL")]
    pub ticket_exchange_url: Option<String>,
    /// How the exchange is called: `get` (the ticket in the query) or `post` (a JSON body).
    #[arg(long, env = "ONETHING_TICKET_EXCHANGE_METHOD", value_enum, default_value_t = ExchangeMethod::Post)]
    pub ticket_exchange_method: ExchangeMethod,
    /// The name of the ticket's query parameter or JSON member.
    #[arg(long, env = "ONETHING_TICKET_EXCHANGE_PARAM", default_value = "ticket")]
    pub ticket_exchange_param: String,
    /// The server's credential at the platform, as one header `Name: value`.
    #[arg(long, env = "ONETHING_TICKET_EXCHANGE_HEADER", hide_env_values = true)]
    pub ticket_exchange_header: Option<String>,
    /// Where the answer keeps the identity: a JSON object of JSON pointers (RFC 6901) for
    /// `subject` (required), `name`, `phone` and `id_number`.
    #[arg(long, env = "ONETHING_TICKET_EXCHANGE_FIELDS", value_parser = exchange_fields,
        default_value = r#"{"subject":"/subject","name":"/name","phone":"/phone","id_number":"/id_number"}"#)]
    pub ticket_exchange_fields: ExchangeFields,
    /// Seconds the exchange may take before the sign-in fails with 502.
    #[arg(long, env = "ONETHING_TICKET_EXCHANGE_TIMEOUT", default_value_t = 5)]
    pub ticket_exchange_timeout: u64,
    /// Every ticket goes to the platform's exchange, none is looked up as a development ticket.
    #[arg(long, env = "ONETHING_TICKET_EXCHANGE_ONLY")]
    pub ticket_exchange_only: bool,
    /// OIDC sign-in for a plain browser (authorization code with PKCE): the
    /// provider's issuer URL (its discovery document is under it). Off without it.
    #[arg(long, env = "ONETHING_OIDC_ISSUER")]
    pub oidc_issuer: Option<String>,
    /// This server's client id at the OIDC provider.
    #[arg(long, env = "ONETHING_OIDC_CLIENT_ID", default_value = "onething")]
    pub oidc_client_id: String,
    /// The client secret (sent with HTTP Basic); without it the client is public (PKCE only).
    #[arg(long, env = "ONETHING_OIDC_CLIENT_SECRET", hide_env_values = true)]
    pub oidc_client_secret: Option<String>,
    /// The callback's public URL as registered at the provider. Default: this server's
    /// `/api/session/oidc/callback` on the request's host.
    #[arg(long, env = "ONETHING_OIDC_REDIRECT_URL")]
    pub oidc_redirect_url: Option<String>,
    /// Scopes asked for.
    #[arg(
        long,
        env = "ONETHING_OIDC_SCOPES",
        default_value = "openid profile phone"
    )]
    pub oidc_scopes: String,
    /// JSON pointers into the provider's claims (ID token and userinfo, merged) for `subject`,
    /// `name`, `phone` and `id_number`.
    #[arg(long, env = "ONETHING_OIDC_CLAIMS", value_parser = exchange_fields,
        default_value = r#"{"subject":"/sub","name":"/name","phone":"/phone_number","id_number":"/id_number"}"#)]
    pub oidc_claims: ExchangeFields,
    /// WeChat: the official account's app id, for `wx.config` (`GET /api/wechat/jssdk-config`).
    #[arg(long, env = "ONETHING_WECHAT_APP_ID")]
    pub wechat_app_id: Option<String>,
    /// WeChat: the deployment's service that answers the current `jsapi_ticket` as
    /// `{"ticket": "…"}` (it owns the access token and refreshes both).
    #[arg(long, env = "ONETHING_WECHAT_JSAPI_TICKET_URL")]
    pub wechat_jsapi_ticket_url: Option<String>,
    /// Session lifetime in seconds.
    #[arg(long, env = "ONETHING_SESSION_TTL", default_value_t = 12 * 3600)]
    pub session_ttl: u64,
    /// Lifetime of a platform ticket in seconds (single use).
    #[arg(long, env = "ONETHING_TICKET_TTL", default_value_t = 120)]
    pub ticket_ttl: u64,
    /// Hours a citizen has to confirm an application an agent filled for them (帮办代办);
    /// after that nothing of it reaches the departments.
    #[arg(long, env = "ONETHING_ASSISTED_CONFIRM_HOURS", default_value_t = 72)]
    pub assisted_confirm_hours: u64,
    /// Days a draft is kept after its last write.
    #[arg(long, env = "ONETHING_DRAFT_TTL_DAYS", default_value_t = 30)]
    pub draft_ttl_days: u64,
    /// Days the personal data of a finished case (every sub-item completed, delivered,
    /// rejected or withdrawn) is kept after its last change; then it is deleted and the case
    /// stays as a de-identified record (case number, service, statuses, dates). 0 keeps it.
    #[arg(long, env = "ONETHING_RETENTION_DAYS", default_value_t = 180)]
    pub retention_days: u64,
    /// Hours an upload not yet used in an application is kept (tus `Upload-Expires`).
    #[arg(long, env = "ONETHING_UPLOAD_TTL_HOURS", default_value_t = 24)]
    pub upload_ttl_hours: u64,
    /// Largest upload in bytes (tus `Tus-Max-Size`).
    #[arg(long, env = "ONETHING_MAX_UPLOAD_BYTES", default_value_t = 25 * 1024 * 1024)]
    pub max_upload_bytes: u64,
    /// Largest image in pixels (width × height, read from the file's header).
    #[arg(long, env = "ONETHING_MAX_IMAGE_PIXELS", default_value_t = 50_000_000)]
    pub max_image_pixels: u64,
    /// CSP `frame-ancestors` of the SPA: who may embed it (e.g. an app platform's origin).
    #[arg(long, env = "ONETHING_FRAME_ANCESTORS", default_value = "'self'")]
    pub frame_ancestors: String,
    /// Origins allowed to call the API cross-origin (comma-separated). None by default.
    #[arg(long, env = "ONETHING_CORS_ORIGINS", value_delimiter = ',')]
    pub cors_origins: Vec<String>,
    /// The server is reached over https (directly or behind a proxy): sends HSTS and marks the
    /// session cookie `Secure`.
    #[arg(long, env = "ONETHING_HTTPS")]
    pub https: bool,
    /// `SameSite` of the session cookie. `none` (cross-site iframes) also sets `Secure` and
    /// `Partitioned`.
    #[arg(long, env = "ONETHING_COOKIE_SAME_SITE", value_enum, default_value_t = SameSite::Lax)]
    pub cookie_same_site: SameSite,
    /// Seconds a JSON request may take before it is answered 408.
    #[arg(long, env = "ONETHING_REQUEST_TIMEOUT", default_value_t = 30)]
    pub request_timeout: u64,
    /// Seconds a PATCH body may send nothing before the server stops reading it, keeps what
    /// arrived and frees the upload, so a client on a stalled connection can resume at once on
    /// a new one instead of waiting for the request timeout.
    #[arg(long, env = "ONETHING_UPLOAD_IDLE_TIMEOUT", default_value_t = 15)]
    pub upload_idle_timeout: u64,
    /// Demo mode: every this many seconds, move each open sub-item one step forward.
    #[arg(long, env = "ONETHING_DEMO_ADVANCE_SECS")]
    pub demo_advance_secs: Option<u64>,
    /// Where notices go (补正, consent, 容缺 deadlines, results): a platform message service's
    /// or an SMS gateway's URL that receives one JSON `POST` per notice. Without it notices are
    /// written to the log.
    #[arg(long, env = "ONETHING_NOTIFY_URL")]
    pub notify_url: Option<String>,
    /// The server's credential at the notice endpoint, as one header `Name: value`.
    #[arg(long, env = "ONETHING_NOTIFY_HEADER", hide_env_values = true)]
    pub notify_header: Option<String>,
    /// Seconds before a notice that could not be sent is tried again; the wait doubles with
    /// each failure, up to an hour.
    #[arg(long, env = "ONETHING_NOTIFY_RETRY_SECS", default_value_t = 10)]
    pub notify_retry_secs: u64,
    /// Log lines as text (for people) or as one JSON object a line (for a log collector).
    #[arg(long, env = "ONETHING_LOG_FORMAT", value_enum, default_value_t = LogFormat::Text)]
    pub log_format: LogFormat,
    /// Where uploaded files are kept: the data directory, or S3-compatible object storage.
    #[command(flatten)]
    pub files: FilesArgs,
    /// A subcommand instead of serving.
    #[command(subcommand)]
    pub command: Option<Command>,
}

/// `--object-store` and the `--s3-*` settings: where uploaded files are kept.
#[derive(Debug, Clone, Args)]
pub struct FilesArgs {
    /// Where uploaded files are kept: `s3://bucket[/prefix]` for S3-compatible object storage
    /// (AWS S3, `MinIO`, Ceph, and OSS, OBS or COS in S3 mode), shared by every replica.
    /// Without it, the data directory's `files/`.
    #[arg(long, env = "ONETHING_OBJECT_STORE")]
    pub object_store: Option<String>,
    /// The object storage's endpoint, e.g. `https://oss-cn-hangzhou.aliyuncs.com` or
    /// `http://127.0.0.1:9000`. Without it, AWS's own for `--s3-region`.
    #[arg(long, env = "ONETHING_S3_ENDPOINT")]
    pub s3_endpoint: Option<String>,
    /// The object storage's region (S3-compatible services mostly accept `us-east-1`).
    #[arg(long, env = "ONETHING_S3_REGION", default_value = "us-east-1")]
    pub s3_region: String,
    /// The access key id of the object storage.
    #[arg(long, env = "ONETHING_S3_ACCESS_KEY_ID", hide_env_values = true)]
    pub s3_access_key_id: Option<String>,
    /// A file holding the secret access key (its first line); or set
    /// `ONETHING_S3_SECRET_ACCESS_KEY`.
    #[arg(long, env = "ONETHING_S3_SECRET_ACCESS_KEY_FILE")]
    pub s3_secret_access_key_file: Option<PathBuf>,
    /// The secret access key itself (a hidden flag: set it in the environment, never on a
    /// command line, which other users of the machine can read).
    #[arg(
        long,
        env = "ONETHING_S3_SECRET_ACCESS_KEY",
        hide_env_values = true,
        hide = true
    )]
    pub s3_secret_access_key: Option<String>,
    /// Virtual-hosted-style requests (`bucket.endpoint`) instead of path-style
    /// (`endpoint/bucket`, what `MinIO` and Ceph expect).
    #[arg(long, env = "ONETHING_S3_VIRTUAL_HOSTED")]
    pub s3_virtual_hosted: bool,
    /// Allow plain http to an object storage endpoint on another machine (a loopback endpoint
    /// is always allowed). Files are sealed before they leave the server, but request
    /// signatures and object names are not.
    #[arg(long, env = "ONETHING_S3_ALLOW_HTTP")]
    pub s3_allow_http: bool,
}

/// How the platform's ticket exchange is called.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExchangeMethod {
    /// `GET url?param=ticket`.
    Get,
    /// `POST url` with `{"param": "ticket"}`.
    Post,
}

/// JSON pointers into the exchange's answer.
#[derive(Debug, Clone, PartialEq, Eq, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExchangeFields {
    /// The platform's stable id of the person (required in every answer).
    pub subject: String,
    /// Full name.
    pub name: Option<String>,
    /// Mobile number.
    pub phone: Option<String>,
    /// Resident ID number.
    pub id_number: Option<String>,
}

fn exchange_fields(s: &str) -> Result<ExchangeFields, String> {
    let f: ExchangeFields = serde_json::from_str(s).map_err(|e| e.to_string())?;
    let pointers = [
        Some(&f.subject),
        f.name.as_ref(),
        f.phone.as_ref(),
        f.id_number.as_ref(),
    ];
    if let Some(bad) = pointers
        .into_iter()
        .flatten()
        .find(|p| !p.is_empty() && !p.starts_with('/'))
    {
        return Err(format!("{bad:?} is not a JSON pointer (it starts with /)"));
    }
    Ok(f)
}

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    /// `key=value` text.
    Text,
    /// One JSON object a line.
    Json,
}

/// The session cookie's `SameSite` attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SameSite {
    /// Sent on same-site requests and top-level navigations.
    Lax,
    /// Sent on same-site requests only.
    Strict,
    /// Sent cross-site too (needs https).
    None,
}

/// Subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum Command {
    /// Departments' side: look at cases and move their sub-items, on a running server through
    /// its admin API.
    Admin(AdminArgs),
}

/// `onething-server admin [--server URL] [--admin-token TOKEN] ...`: which server to drive.
#[derive(Debug, Clone, Args)]
pub struct AdminArgs {
    /// The server, e.g. `https://onething.example`. Default: `http://` and `--addr`.
    #[arg(long, env = "ONETHING_ADMIN_SERVER")]
    pub server: Option<String>,
    /// That server's admin token. Default: the server's own `--admin-token`
    /// (`ONETHING_ADMIN_TOKEN`).
    #[arg(long = "admin-token", allow_hyphen_values = true)]
    pub admin_token: Option<String>,
    /// A department token: `queue` needs it, and with it `move`, `supplement` and `deliver`
    /// go through the departments' API (the timeline names the department).
    #[arg(
        long,
        env = "ONETHING_DEPARTMENT_TOKEN",
        hide_env_values = true,
        allow_hyphen_values = true
    )]
    pub department_token: Option<String>,
    /// What to do.
    #[command(subcommand)]
    pub command: AdminCommand,
}

/// `onething-server admin ...`. A case is named by its case number (办件编号) or id.
#[derive(Debug, Clone, Subcommand)]
pub enum AdminCommand {
    /// List every case.
    List,
    /// Show one case as JSON.
    Show {
        /// Case number or id.
        case: String,
    },
    /// Move a sub-item to a status (received, accepted, `in_progress`, completed, rejected,
    /// `supplement_requested`; for delivered use `deliver`).
    Move {
        /// Case number or id.
        case: String,
        /// Sub-item id, e.g. `household_registration`.
        sub_item: String,
        /// Target status.
        status: String,
        /// Note shown to the citizen.
        #[arg(long)]
        note: Option<String>,
        /// Enter this tracking stage of the sub-item's definition (with status `in_progress`).
        #[arg(long)]
        stage: Option<String>,
        /// What the department records for the stage, or for the outcome when completing: a
        /// JSON object by field id, e.g. `{"survey_date":"2026-12-05","survey_slot":"morning"}`.
        #[arg(long)]
        record: Option<String>,
    },
    /// Ask the citizen for a supplement (补正).
    Supplement {
        /// Case number or id.
        case: String,
        /// Sub-item id.
        sub_item: String,
        /// What is needed.
        #[arg(long)]
        note: String,
    },
    /// List the departments the definitions name, with their sub-items.
    Departments,
    /// Issue a token for a department's staff (printed once).
    DepartmentToken {
        /// The department's Chinese name, as `departments` lists it.
        department: String,
        /// Who holds it (a desk, a person): the audit log names them so.
        #[arg(long)]
        label: String,
        /// Days it lasts.
        #[arg(long, default_value_t = 90)]
        ttl_days: u32,
    },
    /// Register a staff member with the agent role (帮办代办), or find them by label, and issue a
    /// one-time sign-in ticket (24 hours) for their own staff account (printed once).
    AgentTicket {
        /// A stable handle (a staff number): the audit log names them so.
        #[arg(long)]
        label: String,
        /// Their name, as citizens see it on the confirmation.
        #[arg(long)]
        name: String,
        /// Their office or village (村社), as citizens see it.
        #[arg(long)]
        organisation: String,
    },
    /// The audit log: every read of personal data and every move.
    Audit {
        /// Only this case (number or id).
        #[arg(long)]
        case: Option<String>,
        /// Only entries after this id.
        #[arg(long)]
        after: Option<u64>,
    },
    /// A department's queue (needs `--department-token`).
    Queue {
        /// Only this status.
        #[arg(long)]
        status: Option<String>,
        /// Only due on or before this day (`YYYY-MM-DD`).
        #[arg(long)]
        due_before: Option<String>,
        /// Page, from 1.
        #[arg(long)]
        page: Option<u32>,
    },
    /// Rotate the master key of personal data at rest: a new key (in the key file), every
    /// record's data key re-wrapped under it while the server keeps serving, the old key
    /// dropped from the file.
    RotateKey,
    /// Mark a completed sub-item delivered: by mail (courier and tracking number), at a window
    /// (pickup code, generated when not given) or as an e-licence, as its definition offers.
    Deliver {
        /// Case number or id.
        case: String,
        /// Sub-item id.
        sub_item: String,
        /// `mail`, `window` or `e_licence`.
        #[arg(long, default_value = "mail")]
        method: String,
        /// Mail: the courier company, e.g. 顺丰速运.
        #[arg(long)]
        courier: Option<String>,
        /// Mail: the courier's tracking number.
        #[arg(long)]
        tracking_number: Option<String>,
        /// Window: the pickup code.
        #[arg(long)]
        pickup_code: Option<String>,
    },
}

fn dev_clock(s: &str) -> Result<i64, String> {
    crate::clock::parse_instant(s)
        .ok_or_else(|| format!("{s:?} is neither YYYY-MM-DD nor YYYY-MM-DDTHH:MM:SSZ"))
}

impl Config {
    /// The defaults (and any `ONETHING_*` variables set), with this data directory and services
    /// directory: for tests and tools.
    pub fn with_dirs(data_dir: impl Into<PathBuf>, services_dir: impl Into<PathBuf>) -> Self {
        let mut c = Config::parse_from(["onething-server"]);
        c.data_dir = data_dir.into();
        c.services_dir = services_dir.into();
        c
    }
}
