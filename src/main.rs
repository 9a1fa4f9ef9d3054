//! Mounts the SPA in place of the static first paint. Nothing else.

fn main() {
    onething::start();
}
