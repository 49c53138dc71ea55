//! Several real instances of the binary on one PostgreSQL database behind nginx, started by
//! `scripts/cluster.sh` (the harness a person uses too), for the multi-instance tests.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::Command;

use sea_orm::DatabaseConnection;
use switchboard_db::testing::DEFAULT_TEST_DATABASE_URL;

use super::TestApp;

const SCRIPT: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../scripts/cluster.sh");

pub struct Cluster {
    dir: PathBuf,
    /// The proxy's address: the public base URL of every instance.
    pub base: String,
    instances: Vec<String>,
    pub db: DatabaseConnection,
    up: bool,
}

impl Cluster {
    /// `count` instances, started together on a fresh database, behind a new nginx.
    pub async fn up(count: usize) -> Self {
        let dir = std::env::temp_dir().join(format!(
            "switchboard-cluster-{}",
            uuid::Uuid::new_v4().simple()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        run(&dir, &["up", &count.to_string()]).await;
        let text = std::fs::read_to_string(dir.join("cluster.env")).unwrap();
        let env: HashMap<&str, &str> = text.lines().filter_map(|l| l.split_once('=')).collect();
        let instances = (1..=count)
            .map(|i| env[format!("INSTANCE_{i}_URL").as_str()].to_owned())
            .collect();
        let db = switchboard_db::connect(env["DATABASE_URL"]).await.unwrap();
        Self {
            base: env["BASE_URL"].to_owned(),
            instances,
            db,
            dir,
            up: true,
        }
    }

    /// Requests through the proxy, as visitors and admins make them.
    pub fn proxy(&self) -> TestApp {
        TestApp::remote(&self.base, &self.base, &self.db)
    }

    /// Requests to instance `i` (from 1) alone, bypassing the proxy's choice.
    pub fn instance(&self, i: usize) -> TestApp {
        TestApp::remote(&self.instances[i - 1], &self.base, &self.db)
    }

    /// `kill -9` of instance `i`: no shutdown, no goodbye.
    pub async fn kill(&self, i: usize) {
        run(&self.dir, &["kill", &i.to_string()]).await;
    }

    /// Starts instance `i` again and waits until it answers.
    pub async fn start(&self, i: usize) {
        run(&self.dir, &["start", &i.to_string()]).await;
    }

    /// What instance `i` logged.
    pub fn log(&self, i: usize) -> String {
        std::fs::read_to_string(self.dir.join(format!("instance-{i}.log"))).unwrap_or_default()
    }

    /// Stops everything and drops the database.
    pub async fn down(mut self) {
        self.db.clone().close().await.ok();
        run(&self.dir, &["down"]).await;
        self.up = false;
        std::fs::remove_dir_all(&self.dir).ok();
    }
}

impl Drop for Cluster {
    /// A failed test still stops its processes.
    fn drop(&mut self) {
        if self.up {
            command(&self.dir, &["down"]).status().ok();
        }
    }
}

fn command(dir: &std::path::Path, args: &[&str]) -> Command {
    let mut command = Command::new("bash");
    command
        .arg(SCRIPT)
        .args(args)
        .env("SWITCHBOARD_BIN", env!("CARGO_BIN_EXE_switchboard"))
        .env("CLUSTER_DIR", dir)
        .env(
            "CLUSTER_SERVER_URL",
            std::env::var("TEST_DATABASE_URL")
                .unwrap_or_else(|_| DEFAULT_TEST_DATABASE_URL.to_owned()),
        );
    command
}

async fn run(dir: &std::path::Path, args: &[&str]) {
    let mut command = command(dir, args);
    let what = format!("cluster.sh {}", args.join(" "));
    let output = tokio::task::spawn_blocking(move || command.output())
        .await
        .unwrap()
        .unwrap();
    assert!(
        output.status.success(),
        "{what} failed:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
