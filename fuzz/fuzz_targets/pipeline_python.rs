#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| backlint_fuzz::pipeline_python(data));
