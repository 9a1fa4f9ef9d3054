//! Several replicas on one PostgreSQL database (`ONETHING_TEST_DATABASE_URL`): one of them runs
//! the background work, a change made on one wakes the live streams of another, an upload
//! being written on one is locked for the others. On SQLite (one process) the runner is always
//! the process itself, which is checked too.

use std::time::Duration;

use onething_server::{AppState, store};

use crate::common;

#[tokio::test]
async fn one_replica_runs_the_background_work_and_another_takes_over() {
    let one = common::ctx().await;
    let first = store::try_run(&one.state.db).await.expect("db");
    assert!(first.is_some(), "the first replica runs it");
    if one.state.config.database_url.is_none() {
        return;
    }
    let two = AppState::open(&one.state.config)
        .await
        .expect("a second replica");
    assert!(
        store::try_run(&two.db).await.expect("db").is_none(),
        "while the first holds it, the second does not run it"
    );
    // The runner stops (its connection ends): the other takes over.
    drop(first);
    let mut taken = None;
    for _ in 0..50 {
        taken = store::try_run(&two.db).await.expect("db");
        if taken.is_some() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let mut taken = taken.expect("the second replica takes over within 5 s");
    assert!(taken.holds().await);
}

#[tokio::test]
async fn a_change_on_one_replica_wakes_the_streams_of_another() {
    let one = common::ctx().await;
    if one.state.config.database_url.is_none() {
        return;
    }
    let two = AppState::open(&one.state.config)
        .await
        .expect("a second replica");
    let mut rx = two.changes.subscribe();
    // The second replica's `LISTEN` may start a moment after it opened: tell until heard.
    let heard = tokio::time::timeout(Duration::from_secs(10), async {
        loop {
            one.state.notify("case-on-one");
            if let Ok(Ok(id)) = tokio::time::timeout(Duration::from_millis(300), rx.recv()).await {
                return id;
            }
        }
    })
    .await
    .expect("heard within 10 s, well before the 15 s poll");
    assert_eq!(heard, "case-on-one");
}

#[tokio::test]
async fn an_upload_being_written_on_one_replica_is_locked_for_another() {
    let one = common::ctx().await;
    if one.state.config.database_url.is_none() {
        return;
    }
    let mut holder = one.state.db.begin().await.expect("tx");
    assert!(
        store::uploads::lock(&mut holder, "upload-x", Duration::from_secs(1))
            .await
            .expect("db")
    );
    let two = AppState::open(&one.state.config)
        .await
        .expect("a second replica");
    let mut waiter = two.db.begin().await.expect("tx");
    assert!(
        !store::uploads::lock(&mut waiter, "upload-x", Duration::from_millis(300))
            .await
            .expect("db"),
        "held by the other replica"
    );
    drop(waiter);
    let mut other = two.db.begin().await.expect("tx");
    assert!(
        store::uploads::lock(&mut other, "upload-y", Duration::from_millis(300))
            .await
            .expect("db"),
        "another upload is free"
    );
    drop(other);
    holder.rollback().await.expect("rollback");
    let mut after = two.db.begin().await.expect("tx");
    assert!(
        store::uploads::lock(&mut after, "upload-x", Duration::from_secs(1))
            .await
            .expect("db"),
        "free once the holder's transaction ended"
    );
}
