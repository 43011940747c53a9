//! The steps of a scenario that wait: `await` (every one of some events, or
//! the first of several) and `expect`, whose `settle` records what still
//! comes until the client is quiet. How long an await waits is its own
//! deadline, or less once the run has learned that a kind of event never
//! comes ([`patience`]).
//!
//! A part of the executor's `Run`, in a file of its own so that the
//! executor reads as the order of a scenario's life and this file as the
//! rules of waiting.

use super::*;

impl Run<'_> {
    pub(super) async fn await_items(
        &mut self,
        items: &[AwaitDetail],
        ms: u64,
    ) -> Result<(), StepError> {
        let started = Instant::now();
        let mut deadline = self.step_deadline(ms);
        let client: Vec<&AwaitDetail> = items.iter().filter(|d| !d.event.is_server()).collect();
        // Events that never came in this run, awaited again: wait briefly.
        let patience = patience::current();
        let missing_kinds = |recording: &Recording| -> Vec<String> {
            let mut kinds: Vec<String> = recording
                .missing(&client)
                .iter()
                .filter_map(|d| patience::pattern_kind(&d.event))
                .collect();
            kinds.sort();
            kinds.dedup();
            kinds
        };
        let mut cut = patience
            .as_ref()
            .and_then(|p| p.cut_short_all_of(&missing_kinds(&self.recording)));
        if cut.is_some() {
            deadline = deadline.min(Instant::now() + patience::SHORT_WAIT);
        }
        while !self.recording.try_consume(&client) {
            // A long wait asks the run again every SHORT_WAIT: once other
            // scenarios have given up on what it waits for, it ends too
            // (scenarios running at once all start waiting together).
            let wake = match (&patience, &cut) {
                (Some(_), None) => deadline.min(Instant::now() + patience::SHORT_WAIT),
                _ => deadline,
            };
            match self.next(wake).await {
                Ok(message) => self.record(message)?,
                Err(AdapterError::Timeout) if Instant::now() < deadline => {
                    cut = patience
                        .as_ref()
                        .and_then(|p| p.cut_short_all_of(&missing_kinds(&self.recording)));
                    if cut.is_some() {
                        deadline = Instant::now();
                    }
                }
                Err(AdapterError::Timeout) => {
                    let missing = self.recording.missing(&client);
                    if let Some(p) = &patience {
                        p.missed(&missing_kinds(&self.recording));
                    }
                    return Err(StepError::Implementation(format!(
                        "await {}: not seen {}; client lane so far: {}",
                        describe_items(&missing),
                        waited(ms, cut.as_deref(), started),
                        self.lane_summary()
                    )));
                }
                Err(e) => {
                    return Err(StepError::Implementation(format!(
                        "await {}: {e}",
                        describe_items(&client)
                    )))
                }
            }
        }
        for item in items.iter().filter(|d| d.event.is_server()) {
            let Pattern::Server(kind) = item.event else {
                continue;
            };
            // A server event the client's action causes (an upgrade request,
            // a message): if it never came in this run, wait briefly.
            let server_kind = vec![item.event.to_string()];
            let cut = patience.as_ref().and_then(|p| p.cut_short(&server_kind));
            let deadline = match &cut {
                Some(_) => deadline.min(Instant::now() + patience::SHORT_WAIT),
                None => deadline,
            };
            for _ in 0..item.count.unwrap_or(1) {
                let consumed = self.recording.consumed_server().clone();
                let remaining = deadline.saturating_duration_since(Instant::now());
                let found = self
                    .session
                    .wait_for(
                        Box::new(move |e: &ServerEvent| {
                            e.matches(kind) && !consumed.contains(&e.seq)
                        }),
                        remaining,
                    )
                    .await;
                match found {
                    Some(e) => {
                        self.recording.consume_server(e.seq);
                        if let Some(p) = &patience {
                            p.saw_kind(&server_kind[0]);
                        }
                    }
                    None => {
                        if let Some(p) = &patience {
                            p.missed(&server_kind);
                        }
                        return Err(StepError::Implementation(format!(
                            "await `{}`: not seen on the server {}; server lane: {}",
                            item.event,
                            waited(ms, cut.as_deref(), started),
                            serde_json::to_string(&self.session.recording()).unwrap_or_default()
                        )));
                    }
                }
            }
        }
        Ok(())
    }

    /// Waits for the first of `items` to be seen, client or server. Like
    /// [`Self::await_items`], it ends early once the run has given up on
    /// every kind it waits for ([`patience`]), and asks again every
    /// [`patience::SHORT_WAIT`] while it waits.
    pub(super) async fn await_any(
        &mut self,
        items: &[AwaitDetail],
        ms: u64,
    ) -> Result<(), StepError> {
        let started = Instant::now();
        let mut deadline = self.step_deadline(ms);
        let session = self.session;
        let patience = patience::current();
        // Every kind it waits for, the server's included: all must have
        // been given up on for the wait to be cut short.
        let mut any_kinds: Vec<String> = items
            .iter()
            .map(|d| patience::pattern_kind(&d.event).unwrap_or_else(|| d.event.to_string()))
            .collect();
        any_kinds.sort();
        any_kinds.dedup();
        let mut cut = patience.as_ref().and_then(|p| p.cut_short(&any_kinds));
        if cut.is_some() {
            deadline = deadline.min(Instant::now() + patience::SHORT_WAIT);
        }
        let kinds: Vec<ServerKind> = items
            .iter()
            .filter_map(|d| match d.event {
                Pattern::Server(kind) => Some(kind),
                _ => None,
            })
            .collect();
        loop {
            for item in items.iter().filter(|d| !d.event.is_server()) {
                if self.recording.try_consume(&[item]) {
                    return Ok(());
                }
            }
            let consumed = self.recording.consumed_server().clone();
            if let Some(e) = session
                .recording()
                .into_iter()
                .find(|e| kinds.iter().any(|k| e.matches(*k)) && !consumed.contains(&e.seq))
            {
                self.recording.consume_server(e.seq);
                if let (Some(p), Some(item)) = (
                    &patience,
                    items
                        .iter()
                        .find(|d| matches!(d.event, Pattern::Server(k) if e.matches(k))),
                ) {
                    p.saw_kind(&item.event.to_string());
                }
                return Ok(());
            }
            let remaining = deadline.saturating_duration_since(Instant::now());
            let wanted = kinds.clone();
            let server_event = session.wait_for(
                Box::new(move |e: &ServerEvent| {
                    wanted.iter().any(|k| e.matches(*k)) && !consumed.contains(&e.seq)
                }),
                remaining,
            );
            let wake = match (&patience, &cut) {
                (Some(_), None) => deadline.min(Instant::now() + patience::SHORT_WAIT),
                _ => deadline,
            };
            tokio::select! {
                message = self.next(wake) => match message {
                    Ok(message) => self.record(message)?,
                    Err(AdapterError::Timeout) if Instant::now() < deadline => {
                        cut = patience.as_ref().and_then(|p| p.cut_short(&any_kinds));
                        if cut.is_some() {
                            deadline = Instant::now();
                        }
                    }
                    Err(AdapterError::Timeout) => {
                        if let Some(p) = &patience {
                            p.missed(&any_kinds);
                        }
                        let all: Vec<&AwaitDetail> = items.iter().collect();
                        return Err(StepError::Implementation(format!(
                            "await any of {}: none seen {}; client lane so far: {}",
                            describe_items(&all),
                            waited(ms, cut.as_deref(), started),
                            self.lane_summary()
                        )));
                    }
                    Err(e) => return Err(StepError::Implementation(format!("await: {e}"))),
                },
                // A server event: the loop takes it above.
                _ = server_event, if !kinds.is_empty() => {}
            }
        }
    }

    /// Checks the lanes as recorded so far. It reads nothing new from the
    /// adapter (what the lane holds must not depend on timing), except in
    /// `settle`, which records what still comes until the client has been
    /// quiet for its window: whatever an option of an [impl-defined] rule
    /// adds (an `onClose` after a failed handshake, say) then stands in the
    /// trace, and the golden traces judge it; nothing is awaited that only
    /// one option sends.
    pub(super) async fn expect(&mut self, items: &[Expectation]) -> Result<(), StepError> {
        for (k, item) in items.iter().enumerate() {
            if let Expectation::Settle(ms) = item {
                // No shorter than the adapter takes to deliver what is due.
                let window = (*ms).max(self.quiet_ms);
                let mut until = self.step_deadline(window);
                loop {
                    let before = self.recording.client().len();
                    match self.next(until).await {
                        Ok(message) => {
                            self.record(message)?;
                            if self.recording.client().len() > before {
                                // A client event: the quiet window starts again.
                                until = self.step_deadline(window);
                            }
                        }
                        Err(AdapterError::Timeout) => break,
                        Err(e) => {
                            return Err(StepError::Implementation(format!(
                                "expect[{}] settle: {e}",
                                k + 1
                            )))
                        }
                    }
                }
                continue;
            }
            let server = self.session.recording();
            let item = &profile_expectation(item, self.profile);
            check(
                item,
                Lanes {
                    client: self.recording.client(),
                    server: &server,
                },
            )
            .map_err(|m| {
                StepError::Implementation(format!(
                    "expect[{}]: {m}\nclient lane: {}",
                    k + 1,
                    self.lane_summary()
                ))
            })?;
        }
        Ok(())
    }
}

/// How long an await waited: its own deadline, or how long it waited
/// before it was cut short, and why.
fn waited(ms: u64, cut_short: Option<&str>, started: Instant) -> String {
    match cut_short {
        Some(why) => format!(
            "within {} ms (cut short from {ms} ms: {why})",
            started.elapsed().as_millis()
        ),
        None => format!("within {ms} ms"),
    }
}
