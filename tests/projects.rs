//! The example projects end to end: exactly the planted problems are found, and the human
//! rendering of one project is pinned by a snapshot (rendering only: what is found is asserted
//! exactly, above the snapshot).

use std::path::Path;
use std::process::Command;

fn backlint(arguments: &[&str]) -> (String, i32) {
    let output = Command::new(env!("CARGO_BIN_EXE_backlint"))
        .args(arguments)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env("BACKLINT_NO_CACHE", "1")
        .output()
        .expect("run backlint");
    (
        String::from_utf8(output.stdout).expect("UTF-8 output"),
        output.status.code().expect("exit code"),
    )
}

#[test]
fn example_projects_report_exactly_their_planted_problems() {
    let (stdout, code) = backlint(&["check", "--format", "json", "fixtures/projects"]);
    assert_eq!(code, 1);
    let document: serde_json::Value = serde_json::from_str(&stdout).expect("JSON");
    let found: Vec<String> = document["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|finding| {
            format!(
                "{}:{} {}",
                finding["path"].as_str().unwrap_or(""),
                finding["line"],
                finding["rule"].as_str().unwrap_or("")
            )
        })
        .collect();
    let api = "fixtures/projects/nextjs-prisma-api/src";
    let fastapi = "fixtures/projects/fastapi-sqlalchemy/app";
    assert_eq!(
        found,
        vec![
            format!("{fastapi}/main.py:32 debug-enabled"),
            format!("{fastapi}/main.py:37 permissive-cors"),
            format!("{fastapi}/routers/admin.py:32 missing-auth-check"),
            format!("{fastapi}/routers/orders.py:71 bare-except"),
            format!("{fastapi}/routers/orders.py:88 swallowed-error"),
            format!("{fastapi}/routers/sessions.py:21 missing-rate-limit"),
            format!("{fastapi}/routers/users.py:35 sensitive-data-logged"),
            format!("{fastapi}/routers/users.py:51 sql-injection"),
            format!("{fastapi}/routers/users.py:78 weak-password-hash"),
            format!("{fastapi}/services/payments.py:30 missing-request-timeout"),
            format!("{fastapi}/services/payments.py:42 bare-except"),
            format!("{fastapi}/services/payments.py:77 tls-verification-disabled"),
            format!("{fastapi}/services/reports.py:12 insecure-deserialization"),
            format!("{fastapi}/services/reports.py:19 broad-except"),
            format!("{fastapi}/services/reports.py:23 missing-type-hints"),
            format!("{api}/app/api/health/route.ts:5 blocking-call-in-async"),
            format!("{api}/app/api/posts/[id]/comments/route.ts:10 unbounded-query"),
            format!("{api}/app/api/posts/[id]/comments/route.ts:20 no-explicit-any"),
            format!("{api}/app/api/posts/[id]/route.ts:7 unawaited-route-params"),
            format!("{api}/app/api/posts/route.ts:5 module-level-env"),
            format!("{api}/app/api/posts/route.ts:55 error-details-leak"),
            format!("{api}/app/api/users/[id]/route.ts:32 unvalidated-input"),
            format!("{api}/app/api/users/[id]/route.ts:52 no-explicit-any"),
            format!("{api}/app/api/users/route.ts:34 n-plus-one-query"),
            format!("{api}/app/api/webhooks/mail/route.ts:12 unverified-webhook"),
            format!("{api}/lib/avatars.ts:9 command-injection"),
            format!("{api}/lib/mailer.ts:4 hardcoded-secret"),
            format!("{api}/lib/mailer.ts:11 no-explicit-any"),
            format!("{api}/lib/mailer.ts:52 no-explicit-any"),
            format!("{api}/lib/mailer.ts:67 unused-suppression"),
            format!("{api}/lib/mailer.ts:70 suppression-comment"),
            format!("{api}/lib/mailer.ts:70 unused-suppression"),
            format!("{api}/lib/onboarding.ts:6 missing-transaction"),
            format!("{api}/lib/session.ts:11 insecure-jwt"),
            format!("{api}/lib/summaries.ts:16 hardcoded-model-name"),
        ]
    );
    assert_eq!(document["notifications"], serde_json::json!([]));
    assert!(Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/projects/fastapi-sqlalchemy/app/db.py")
        .exists());
}

#[test]
fn human_rendering_of_the_fastapi_project() {
    let (stdout, _) = backlint(&["check", "fixtures/projects/fastapi-sqlalchemy"]);
    let (summary_at, _) = stdout
        .trim_end()
        .rsplit_once(", ")
        .expect("summary ends with the time");
    insta::assert_snapshot!(format!("{summary_at}, [time]"));
}
