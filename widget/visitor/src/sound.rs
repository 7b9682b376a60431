//! The soft "new message" chime, made with Web Audio so no audio file ships in the bundle.
//!
//! Browsers refuse to start audio before the user has interacted with the page, so the
//! `AudioContext` is only created from a user gesture ([`unlock`]); until then [`chime`] is
//! silent rather than an autoplay warning in the host page's console.

use std::cell::RefCell;

use web_sys::{AudioContext, OscillatorType};

thread_local! {
    static CTX: RefCell<Option<AudioContext>> = const { RefCell::new(None) };
}

/// Call from a user gesture (click, key press): creates or resumes the audio context.
pub fn unlock() {
    CTX.with(|ctx| {
        let mut ctx = ctx.borrow_mut();
        match &*ctx {
            Some(c) => {
                let _ = c.resume();
            }
            None => *ctx = AudioContext::new().ok(),
        }
    });
}

/// A ~150 ms sine blip with a soft attack and decay; does nothing before [`unlock`].
pub fn chime() {
    CTX.with(|ctx| {
        if let Some(ctx) = &*ctx.borrow() {
            let _ = play(ctx);
        }
    });
}

fn play(ctx: &AudioContext) -> Result<(), wasm_bindgen::JsValue> {
    let t = ctx.current_time();
    let osc = ctx.create_oscillator()?;
    let gain = ctx.create_gain()?;
    osc.set_type(OscillatorType::Sine);
    osc.frequency().set_value_at_time(880.0, t)?;
    osc.frequency()
        .exponential_ramp_to_value_at_time(660.0, t + 0.15)?;
    // Ramp instead of a step so the blip has no click at either end.
    gain.gain().set_value_at_time(0.0001, t)?;
    gain.gain()
        .exponential_ramp_to_value_at_time(0.08, t + 0.02)?;
    gain.gain()
        .exponential_ramp_to_value_at_time(0.0001, t + 0.15)?;
    osc.connect_with_audio_node(&gain)?;
    gain.connect_with_audio_node(&ctx.destination())?;
    osc.start()?;
    osc.stop_with_when(t + 0.16)?;
    Ok(())
}
