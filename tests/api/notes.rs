//! `#` client notes: kept about a customer, shown on every ticket of theirs, changed live on every
//! console that may show the client, never sent to the customer; who may change which.

use serde_json::json;
use switchboard::{
    domain::{ClientId, NoteId, Role},
    hub::{Event, ServerFrame},
    views::{NoteView, TicketView},
};

use crate::support::{Backend, Reply, Session, Ws, customer, spawn_app};

async fn add(session: &Session, client: ClientId, text: &str) -> Reply {
    session
        .post(
            &format!("/api/clients/{client}/notes"),
            json!({"text": text}),
        )
        .await
}

async fn edit(session: &Session, note: NoteId, text: &str) -> Reply {
    session
        .request(
            reqwest::Method::PATCH,
            &format!("/api/notes/{note}"),
            Some(json!({"text": text})),
        )
        .await
}

async fn delete(session: &Session, note: NoteId) -> Reply {
    session
        .request(reqwest::Method::DELETE, &format!("/api/notes/{note}"), None)
        .await
}

async fn notes_of(session: &Session, client: ClientId) -> Vec<NoteView> {
    session
        .get_json(&format!("/api/clients/{client}/notes"))
        .await
}

/// The next note event on a console: its type, the note id, and the client's notes count.
async fn expect_note_event(ws: &mut Ws) -> (&'static str, NoteId, u64) {
    ws.expect("a note event", |frame| match frame {
        ServerFrame::Event(event) => match event.event {
            Event::NoteCreated { note, notes_count } => {
                Some(("note.created", note.id, notes_count))
            }
            Event::NoteUpdated { note, notes_count } => {
                Some(("note.updated", note.id, notes_count))
            }
            Event::NoteDeleted {
                note_id,
                notes_count,
                ..
            } => Some(("note.deleted", note_id, notes_count)),
            _ => None,
        },
        _ => None,
    })
    .await
}

async fn notes_are_added_edited_and_deleted_live_on_every_console_and_never_reach_the_customer(
    backend: Backend,
) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    app.add_agent("sam", Role::Supervisor, &[]).await;
    let sam = app.login("sam").await;
    let ann = customer(6001, "Ann");
    let number = app.customer_opens_ticket(&ann, "where is my parcel").await;
    let ticket: TicketView = alice.get_json(&format!("/api/tickets/{number}")).await;
    let client = ticket.client.id;
    assert_eq!(ticket.client.notes_count, 0);
    let (mut alice_ws, mut sam_ws) = (alice.ws().await, sam.ws().await);

    let note: NoteView = add(&alice, client, "  VIP: prefers email  ")
        .await
        .expect(201);
    assert_eq!(note.text, "VIP: prefers email", "trimmed");
    assert_eq!(note.client_id, client);
    assert_eq!(note.author.id, alice.id());
    assert_eq!(note.author.name, "Alice");
    for ws in [&mut alice_ws, &mut sam_ws] {
        assert_eq!(expect_note_event(ws).await, ("note.created", note.id, 1));
    }
    let listed: Vec<TicketView> = sam.get_json("/api/tickets").await;
    assert_eq!(listed[0].client.notes_count, 1, "{listed:?}");
    let second: NoteView = add(&sam, client, "called twice about it").await.expect(201);
    for ws in [&mut alice_ws, &mut sam_ws] {
        assert_eq!(expect_note_event(ws).await, ("note.created", second.id, 2));
    }
    let texts: Vec<String> = notes_of(&alice, client)
        .await
        .into_iter()
        .map(|n| n.text)
        .collect();
    assert_eq!(
        texts,
        ["VIP: prefers email", "called twice about it"],
        "oldest first"
    );

    let edited: NoteView = edit(&alice, note.id, "VIP: prefers phone")
        .await
        .expect(200);
    assert_eq!(edited.text, "VIP: prefers phone");
    assert_eq!(edited.created_at, note.created_at);
    assert!(edited.updated_at >= note.updated_at);
    for ws in [&mut alice_ws, &mut sam_ws] {
        assert_eq!(expect_note_event(ws).await, ("note.updated", note.id, 2));
    }

    assert_eq!(delete(&alice, note.id).await.status, 204);
    for ws in [&mut alice_ws, &mut sam_ws] {
        assert_eq!(expect_note_event(ws).await, ("note.deleted", note.id, 1));
    }
    let left = notes_of(&sam, client).await;
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].id, second.id);
    let ticket: TicketView = alice.get_json(&format!("/api/tickets/{number}")).await;
    assert_eq!(ticket.client.notes_count, 1);
    assert_eq!(delete(&alice, note.id).await.status, 404, "gone already");

    let sent = app.telegram.sent_to(ann.chat());
    assert_eq!(sent.len(), 1, "only the acknowledgement: {sent:?}");
    assert!(sent.iter().all(|text| !text.contains("VIP")));
}

async fn who_may_read_add_edit_and_delete_notes(backend: Backend) {
    let app = spawn_app(backend).await;
    app.add_department("Billing").await;
    let author = app.agent("alice").await;
    let colleague = app.agent("bob").await;
    app.add_agent("olga", Role::Agent, &["Billing"]).await;
    app.add_agent("sam", Role::Supervisor, &[]).await;
    app.add_agent("ada", Role::Admin, &[]).await;
    let (outsider, supervisor, admin) = (
        app.login("olga").await,
        app.login("sam").await,
        app.login("ada").await,
    );
    let number = app
        .customer_opens_ticket(&customer(6101, "Ann"), "hi")
        .await;
    let ticket: TicketView = author.get_json(&format!("/api/tickets/{number}")).await;
    let client = ticket.client.id;

    // (who, read/add status, edit status, delete status) on a note the author wrote.
    let matrix: [(&Session, u16, u16, u16); 5] = [
        (&author, 200, 200, 204),
        (&colleague, 200, 403, 403),
        (&outsider, 404, 404, 404),
        (&supervisor, 200, 200, 204),
        (&admin, 200, 200, 204),
    ];
    for (who, read, edit_status, delete_status) in matrix {
        let name = who.name();
        assert_eq!(
            who.get(&format!("/api/clients/{client}/notes"))
                .await
                .status,
            read,
            "{name} reads"
        );
        let own = add(who, client, &format!("by {name}")).await;
        assert_eq!(
            own.status.as_u16(),
            if read == 200 { 201 } else { 404 },
            "{name} adds"
        );

        let note: NoteView = add(&author, client, "written by alice").await.expect(201);
        let reply = edit(who, note.id, &format!("edited by {name}")).await;
        assert_eq!(reply.status, edit_status, "{name} edits: {reply:?}");
        let now = notes_of(&author, client).await;
        let kept = now
            .iter()
            .find(|n| n.id == note.id)
            .expect("the note is there");
        if edit_status == 200 {
            assert_eq!(kept.text, format!("edited by {name}"));
        } else {
            assert_eq!(
                kept.text, "written by alice",
                "a refused edit changes nothing"
            );
        }
        let reply = delete(who, note.id).await;
        assert_eq!(reply.status, delete_status, "{name} deletes: {reply:?}");
        let still_there = notes_of(&author, client)
            .await
            .iter()
            .any(|n| n.id == note.id);
        assert_eq!(still_there, delete_status != 204, "{name}'s delete");
    }
    assert_eq!(
        edit(&colleague, NoteId(1), "x").await.refusal().1,
        "forbidden"
    );
}

async fn bad_note_texts_and_unknown_ids_are_refused_and_change_nothing(backend: Backend) {
    let app = spawn_app(backend).await;
    let alice = app.agent("alice").await;
    let number = app
        .customer_opens_ticket(&customer(6201, "Ann"), "hi")
        .await;
    let ticket: TicketView = alice.get_json(&format!("/api/tickets/{number}")).await;
    let client = ticket.client.id;
    let mut ws = alice.ws().await;

    for bad in ["", "  \n ", &"x".repeat(2001)] {
        assert_eq!(
            add(&alice, client, bad).await.refusal(),
            (422, "invalid".to_owned())
        );
    }
    assert_eq!(
        add(&alice, client, &"é".repeat(2000)).await.status,
        201,
        "2,000 characters fit"
    );
    let note: NoteView = add(&alice, client, "short").await.expect(201);
    for bad in ["", &"x".repeat(2001)] {
        assert_eq!(
            edit(&alice, note.id, bad).await.refusal(),
            (422, "invalid".to_owned())
        );
    }
    let missing = alice
        .post(
            &format!("/api/clients/{client}/notes"),
            json!({"words": "hi"}),
        )
        .await;
    assert!(missing.status.is_client_error(), "{missing:?}");
    let unknown_client = ClientId(client.0 + 999);
    assert_eq!(add(&alice, unknown_client, "hello").await.status, 404);
    assert_eq!(
        alice
            .get(&format!("/api/clients/{unknown_client}/notes"))
            .await
            .status,
        404
    );
    let unknown_note = NoteId(note.id.0 + 999);
    assert_eq!(edit(&alice, unknown_note, "hello").await.status, 404);
    assert_eq!(delete(&alice, unknown_note).await.status, 404);

    let texts: Vec<String> = notes_of(&alice, client)
        .await
        .into_iter()
        .map(|n| n.text)
        .collect();
    assert_eq!(texts.len(), 2);
    assert_eq!(texts[1], "short", "the refused edits changed nothing");
    let ticket: TicketView = alice.get_json(&format!("/api/tickets/{number}")).await;
    assert_eq!(ticket.client.notes_count, 2);
    assert_eq!(expect_note_event(&mut ws).await.2, 1);
    assert_eq!(
        expect_note_event(&mut ws).await,
        ("note.created", note.id, 2)
    );
    assert!(
        ws.next_frame_within(std::time::Duration::from_millis(300))
            .await
            .is_none(),
        "refusals send no events"
    );
}

crate::backend_tests!(
    notes_are_added_edited_and_deleted_live_on_every_console_and_never_reach_the_customer,
    who_may_read_add_edit_and_delete_notes,
    bad_note_texts_and_unknown_ids_are_refused_and_change_nothing,
);
