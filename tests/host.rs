//! The host bridge's platform adapters against fake bridges of the documented shapes
//! (`ZWJSBridge`, WeChat's `wx`, Alipay's `my`), and the iframe protocol's origin check, in
//! headless Chromium (wasm-bindgen-test).
#![cfg(target_arch = "wasm32")]

use onething::host::{Frame, Host, Platform};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = r#"
// A 1×1 PNG.
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==";
export function png_len() { return atob(PNG).length; }
export function fake_zlb(log) {
  return {
    onReady(cb) { setTimeout(cb, 0); },
    setTitle(o) { log.push(`setTitle:${o.title}`); return Promise.resolve({}); },
    close() { log.push("close"); return Promise.resolve({}); },
    getUiStyle() { return Promise.resolve({ uiStyle: "elder" }); },
    chooseImage(o) { log.push(`chooseImage:${o.upload}:${o.count}`); return Promise.resolve({ picSrc: ["data:image/png;base64," + PNG] }); },
    monitorTrace(o) { log.push(`monitorTrace:${o.page}`); },
  };
}
export function fake_wx(log, cancel) {
  return {
    chooseImage(o) {
      log.push(`chooseImage:${o.count}:${o.sizeType}`);
      setTimeout(() => cancel ? o.cancel({ errMsg: "chooseImage:cancel" }) : o.success({ localIds: ["wxLocalResource://a", "wxLocalResource://b"] }), 0);
    },
    // Android hands plain base64, iOS a data URL.
    getLocalImgData(o) { setTimeout(() => o.success({ localData: o.localId.endsWith("a") ? PNG : "data:image/png;base64," + PNG }), 0); },
    closeWindow() { log.push("closeWindow"); },
    miniProgram: { navigateBack() { log.push("mp.navigateBack"); }, postMessage(o) { log.push(`mp.postMessage:${o.data.type}:${o.data.case_number}`); } },
  };
}
export function fake_my(log) {
  const url = URL.createObjectURL(new Blob([Uint8Array.from(atob(PNG), (c) => c.charCodeAt(0))], { type: "image/png" }));
  return {
    chooseImage(o) { log.push(`chooseImage:${o.count}`); setTimeout(() => o.success({ apFilePaths: [url] }), 0); },
    setNavigationBar(o) { log.push(`setNavigationBar:${o.title}`); },
    navigateBack() { log.push("navigateBack"); },
    postMessage(m) { log.push(`postMessage:${m.type}`); },
  };
}
export function set_global(name, value) { globalThis[name] = value; }
export async function decodes(blob) { const b = await createImageBitmap(blob); return b.width === 1 && b.height === 1; }
export function message(origin, data) { return new MessageEvent("message", { origin, data, source: window }); }
"#)]
extern "C" {
    fn png_len() -> f64;
    fn fake_zlb(log: &js_sys::Array) -> JsValue;
    fn fake_wx(log: &js_sys::Array, cancel: bool) -> JsValue;
    fn fake_my(log: &js_sys::Array) -> JsValue;
    fn set_global(name: &str, value: &JsValue);
    fn decodes(blob: &web_sys::Blob) -> js_sys::Promise;
    fn message(origin: &str, data: &JsValue) -> web_sys::MessageEvent;
}

fn entries(log: &js_sys::Array) -> Vec<String> {
    log.iter().filter_map(|v| v.as_string()).collect()
}

async fn settle() {
    for _ in 0..5 {
        let p = js_sys::Promise::new(&mut |r, _| {
            let _ = web_sys::window()
                .expect("window")
                .set_timeout_with_callback_and_timeout_and_arguments_0(&r, 10);
        });
        let _ = JsFuture::from(p).await;
    }
}

/// Each picked picture is a real image `Blob` the upload pipeline can take as it is.
async fn assert_pictures(blobs: &[web_sys::Blob], n: usize) {
    assert_eq!(blobs.len(), n);
    for b in blobs {
        assert_eq!(b.type_(), "image/png");
        #[allow(clippy::cast_precision_loss)]
        let len = b.size();
        assert!((len - png_len()).abs() < 0.5, "the bytes survive: {len}");
        let ok = JsFuture::from(decodes(b)).await.expect("decodes");
        assert_eq!(ok.as_bool(), Some(true));
    }
}

#[wasm_bindgen_test]
async fn zlb_title_elder_mode_image_pick_analytics_and_close() {
    let log = js_sys::Array::new();
    let host = Host::with_bridge(Platform::Zlb, fake_zlb(&log), Vec::new());
    host.set_title("出生 — 一件事");
    assert_eq!(
        web_sys::window()
            .and_then(|w| w.document())
            .map(|d| d.title())
            .unwrap_or_default(),
        "出生 — 一件事"
    );
    assert_eq!(host.elder_mode().await, Some(true));
    let blobs = host.pick_images(3).await.expect("the bridge picks");
    assert_pictures(&blobs, 1).await;
    host.page_view("/apply/newborn/page/baby", "x");
    assert!(host.can_close());
    assert!(host.close());
    settle().await;
    let log = entries(&log);
    for want in [
        "setTitle:出生 — 一件事",
        "chooseImage:false:3",
        "monitorTrace:/apply/newborn/page/baby",
        "close",
    ] {
        assert!(log.iter().any(|l| l == want), "{want} in {log:?}");
    }
}

#[wasm_bindgen_test]
async fn wechat_picks_through_local_ids_and_closes_the_window() {
    let log = js_sys::Array::new();
    let host = Host::with_bridge(Platform::WeChat, fake_wx(&log, false), Vec::new());
    let blobs = host.pick_images(2).await.expect("the JSSDK picks");
    assert_pictures(&blobs, 2).await;
    assert_eq!(
        host.elder_mode().await,
        None,
        "WeChat has no elder-mode setting"
    );
    host.set_title("T");
    assert!(host.close());
    assert_eq!(entries(&log), ["chooseImage:2:compressed", "closeWindow"]);
}

#[wasm_bindgen_test]
async fn wechat_cancel_is_an_empty_choice_and_the_mini_program_hears_the_case() {
    let log = js_sys::Array::new();
    let host = Host::with_bridge(Platform::WeChat, fake_wx(&log, true), Vec::new());
    assert_eq!(host.pick_images(1).await.map(|b| b.len()), Some(0));
    set_global("__wxjs_environment", &"miniprogram".into());
    host.submitted("newborn", "3305-0001", "a1");
    assert!(host.close());
    set_global("__wxjs_environment", &JsValue::UNDEFINED);
    let log = entries(&log);
    assert!(
        log.contains(&"mp.postMessage:submitted:3305-0001".to_owned()),
        "{log:?}"
    );
    assert!(log.contains(&"mp.navigateBack".to_owned()), "{log:?}");
}

#[wasm_bindgen_test]
async fn alipay_title_pick_and_close() {
    let log = js_sys::Array::new();
    let host = Host::with_bridge(Platform::Alipay, fake_my(&log), Vec::new());
    host.set_title("申请");
    let blobs = host.pick_images(1).await.expect("my.chooseImage picks");
    assert_pictures(&blobs, 1).await;
    host.submitted("newborn", "C1", "a1");
    assert!(host.close());
    assert_eq!(
        entries(&log),
        [
            "setNavigationBar:申请",
            "chooseImage:1",
            "postMessage:submitted",
            "navigateBack"
        ]
    );
}

#[wasm_bindgen_test]
async fn without_a_native_picker_the_web_file_input_is_used() {
    let empty: JsValue = js_sys::Object::new().into();
    for platform in [Platform::Zlb, Platform::WeChat, Platform::Alipay] {
        let host = Host::with_bridge(platform, empty.clone(), Vec::new());
        assert!(host.pick_images(1).await.is_none(), "{platform:?}");
        assert!(!host.can_close(), "{platform:?}");
        assert_eq!(host.elder_mode().await, None);
    }
    let browser = Host::with_bridge(Platform::Browser, JsValue::UNDEFINED, Vec::new());
    assert!(browser.pick_images(1).await.is_none());
    assert!(!browser.close());
}

#[wasm_bindgen_test]
fn the_frame_reads_only_its_allowed_origin() {
    let own = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .expect("origin");
    let frame = Frame::new(vec![own.clone()]);
    let elder =
        js_sys::JSON::parse(r#"{"protocol":"onething","version":1,"type":"elder","on":true}"#)
            .expect("json");
    assert!(frame.read(&message(&own, &elder)).is_some());
    assert!(
        frame
            .read(&message("https://evil.example", &elder))
            .is_none()
    );
    assert!(
        frame
            .read(&message(&own, &JsValue::from_str("elder")))
            .is_none()
    );
    assert!(frame.read(&message(&own, &JsValue::from(1))).is_none());
    let other = Frame::new(vec!["https://host.gov.cn".into()]);
    assert!(other.read(&message(&own, &elder)).is_none());
}
