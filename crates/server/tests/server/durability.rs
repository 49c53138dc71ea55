//! Durability: every message the server acknowledged (201) is still there after the process is
//! killed with SIGKILL mid-stream and started again on the same SQLite file; and a SIGTERM stops
//! the server even while event streams are open, ending them so their clients reconnect.

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

/// The real binary on a free loopback port, on the database at `url`.
struct Server {
    child: Child,
    base: String,
}

impl Server {
    async fn start(dir: &std::path::Path) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let base = format!("http://127.0.0.1:{port}");
        let mut child = command(dir)
            .arg("serve")
            .env("SWITCHBOARD_ADDR", format!("127.0.0.1:{port}"))
            .env("SWITCHBOARD_BASE_URL", &base)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let client = reqwest::Client::new();
        for _ in 0..300 {
            if client.get(format!("{base}/healthz")).send().await.is_ok() {
                return Self { child, base };
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("the server did not answer /healthz");
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn command(dir: &std::path::Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_switchboard"));
    command
        .env(
            "SWITCHBOARD_DATABASE_URL",
            format!("sqlite://{}?mode=rwc", dir.join("switchboard.db").display()),
        )
        .env("SWITCHBOARD_SECRET_KEY_FILE", dir.join("secret.key"))
        .env("RUST_LOG", "warn");
    command
}

fn with_body(request: reqwest::RequestBuilder, body: Value) -> reqwest::RequestBuilder {
    request
        .header("content-type", "application/json")
        .body(body.to_string())
}

async fn json(request: reqwest::RequestBuilder) -> (u16, Value) {
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    let body = response.bytes().await.unwrap();
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_messages_survive_sigkill() {
    let dir = std::env::temp_dir().join(format!("switchboard-durability-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut server = Server::start(&dir).await;
    let printed = command(&dir)
        .args(["token", "create", "--name", "durability", "--role", "admin"])
        .output()
        .unwrap();
    let token = String::from_utf8(printed.stdout)
        .unwrap()
        .trim()
        .lines()
        .last()
        .unwrap()
        .to_owned();
    let client = reqwest::Client::new();
    let api = |path: &str| {
        client
            .post(format!("{}{path}", server.base))
            .bearer_auth(&token)
    };
    let (_, configuration) = json(with_body(api("/api/v2/messenger/configurations"), json!({
        "name": "Durable",
        "draft": {
            "authentication": {"enabled": false, "integrationId": null, "allowSessionUpgrade": false},
            "appearance": {"primaryColor": "#0f766e", "launcherLabel": "Chat", "greeting": "Hi", "defaultLanguage": "en"},
            "sessionLifetimeSeconds": 3600
        }
    })))
    .await;
    let configuration = configuration["id"].as_str().unwrap().to_owned();
    json(api(&format!(
        "/api/v2/messenger/configurations/{configuration}/versions/draft/publish"
    )))
    .await;
    let (_, deployment) = json(with_body(
        api("/api/v2/messenger/deployments"),
        json!({
            "name": "Site", "configuration": {"id": configuration, "version": null},
            "allowedDomains": [], "allowAllDomains": true, "status": "active"
        }),
    ))
    .await;
    let deployment = deployment["id"].as_str().unwrap().to_owned();

    // Several visitors write at once; the server is killed while they do.
    let mut writers = vec![];
    for visitor in 0..4 {
        let (status, session) = json(with_body(
            client.post(format!("{}/messenger/v1/sessions", server.base)),
            json!({"deploymentId": deployment}),
        ))
        .await;
        assert_eq!(status, 201);
        let session = session["token"].as_str().unwrap().to_owned();
        let base = server.base.clone();
        let client = client.clone();
        writers.push(tokio::spawn(async move {
            let mut acknowledged = vec![];
            for n in 0.. {
                let request = client
                    .post(format!("{base}/messenger/v1/messages"))
                    .bearer_auth(&session);
                let text = format!("visitor {visitor}, message {n}");
                let sent = with_body(request, json!({ "text": text })).send().await;
                match sent {
                    Ok(response) if response.status() == 201 => {
                        let body: Value =
                            serde_json::from_slice(&response.bytes().await.unwrap()).unwrap();
                        acknowledged.push(body["id"].as_i64().unwrap());
                    }
                    // The burst limit: slow down.
                    Ok(response) if response.status() == 429 => {
                        tokio::time::sleep(Duration::from_millis(200)).await;
                    }
                    Ok(response) => panic!("unexpected {}", response.status()),
                    Err(_) => break,
                }
            }
            (session, acknowledged)
        }));
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server.child.kill().unwrap(); // SIGKILL
    server.child.wait().unwrap();
    let mut written = vec![];
    for writer in writers {
        written.push(writer.await.unwrap());
    }
    let total: usize = written.iter().map(|(_, ids)| ids.len()).sum();
    assert!(
        total >= 8,
        "only {total} messages were acknowledged before the kill"
    );

    let server = Server::start(&dir).await;
    for (session, acknowledged) in written {
        let (status, conversation) = json(
            client
                .get(format!("{}/messenger/v1/conversation", server.base))
                .bearer_auth(&session),
        )
        .await;
        assert_eq!(status, 200, "{conversation}");
        let stored: Vec<i64> = conversation["messages"]
            .as_array()
            .unwrap()
            .iter()
            .map(|message| message["id"].as_i64().unwrap())
            .collect();
        for id in &acknowledged {
            assert!(
                stored.contains(id),
                "message {id} was acknowledged, then lost"
            );
        }
    }
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_ends_open_event_streams_and_stops() {
    let dir = std::env::temp_dir().join(format!("switchboard-stop-{}", uuid::Uuid::new_v4()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut server = Server::start(&dir).await;
    let printed = command(&dir)
        .args(["token", "create", "--name", "stop", "--role", "admin"])
        .output()
        .unwrap();
    let token = String::from_utf8(printed.stdout).unwrap();
    let token = token.trim().lines().last().unwrap().to_owned();
    let client = reqwest::Client::new();
    let mut stream = client
        .get(format!("{}/api/v2/events", server.base))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);

    let terminated = Command::new("kill")
        .args(["-TERM", &server.child.id().to_string()])
        .status()
        .unwrap();
    assert!(terminated.success());
    // The stream ends (rather than holding the shutdown open), then the process exits cleanly.
    let ended = tokio::time::timeout(Duration::from_secs(20), async {
        while let Some(_chunk) = stream.chunk().await.unwrap_or(None) {}
    })
    .await;
    assert!(ended.is_ok(), "the event stream outlived the shutdown");
    let mut status = None;
    for _ in 0..200 {
        status = server.child.try_wait().unwrap();
        if status.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let status = status.expect("the server still runs 20 s after SIGTERM");
    assert!(status.success(), "the server stopped with {status}");
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}
