;; The byte scan of scan-log-file.ts as a WebAssembly SIMD scanner: the same answer (a `{"Records": [...]}` file
;; that JSON.parse accepts, each record's extent, its own eventSource / eventName / eventType), at several times the
;; speed. Compiled by `npm run build:wasm` into scan.wasm; test/sources/fast-scan.test.ts checks that the committed
;; binary is what this source compiles to.
;;
;; Stage 1 (simdjson's idea, 64 bytes at a time): masks of quotes, backslashes, whitespace, `{}[]:,` and control
;; characters; the escaped characters (odd runs of backslashes); the string interiors (a prefix XOR of the unescaped
;; quotes); from them the tokens: the opening quote of each string, each `{}[]:,` outside strings, and the first
;; byte of each run of other bytes outside strings (a number or literal, or garbage). A control character inside a
;; string, or an escape JSON does not allow, fails the file here.
;; Stage 2 walks the tokens only, never the bytes of a string: the JSON grammar with an explicit stack, numbers and
;; literals validated where they start (and the byte after them must end them), the file's frame, each record's
;; extent, and the record's own keys.
;;
;; scan(start, end, base, out, cap) reads the bytes [start, end) (the caller put 64 spaces and then 32 quotes after
;; them) and returns the number of records, each written at out as 10 i32 (positions relative to base, -1 when
;; absent): start, end, flags, source [start, end), type [start, end), name [start, end), 0. It returns -1 when the
;; file is not a log file JSON.parse accepts (or nests deeper than the JavaScript scanner allows) and -2 when more
;; than cap records would be written. Flags: 1 the record is an object; 2 unsafe (an escaped key of its own, a key
;; unwrap looks into, an escaped or non-string eventSource or eventType: the record must be parsed); 4 its last
;; eventName is an escaped string; 8 its last eventName is not a string.
(module
  (memory (export "memory") 1)

  ;; Tables, one byte per byte value. 0: escapes (1 for " \ / b f n r t, 2 for u); 256: hex digits; 512: the bytes
  ;; that may follow a number or a literal; 1024: whitespace. 1280: the stack, the closing byte of each open
  ;; container by depth.
  (data (i32.const 34) "\01")
  (data (i32.const 47) "\01")
  (data (i32.const 92) "\01")
  (data (i32.const 98) "\01\00\00\00\01\00\00\00\00\00\00\00\01\00\00\00\01\00\01\02")
  (data (i32.const 304) "\01\01\01\01\01\01\01\01\01\01\00\00\00\00\00\00\00\01\01\01\01\01\01")
  (data (i32.const 353) "\01\01\01\01\01\01")
  (data (i32.const 521) "\01\01\00\00\01")
  (data (i32.const 544) "\01\00\01")
  (data (i32.const 556) "\01")
  (data (i32.const 570) "\01")
  (data (i32.const 603) "\01\00\01")
  (data (i32.const 635) "\01\00\01")
  (data (i32.const 1033) "\01\01\00\00\01")
  (data (i32.const 1056) "\01")

  ;; Four 16-lane comparison results as one 64-bit mask, lane i at bit i.
  (func $mask (param $a v128) (param $b v128) (param $c v128) (param $d v128) (result i64)
    (i64.or
      (i64.extend_i32_u
        (i32.or (i8x16.bitmask (local.get $a)) (i32.shl (i8x16.bitmask (local.get $b)) (i32.const 16))))
      (i64.shl
        (i64.extend_i32_u
          (i32.or (i8x16.bitmask (local.get $c)) (i32.shl (i8x16.bitmask (local.get $d)) (i32.const 16))))
        (i64.const 32))))

  ;; The position of the first `"` or `\` at or after p (the quotes after the input end every search).
  (func $stop (param $p i32) (result i32)
    (local $v v128)
    (local $m i32)
    (loop $next
      (local.set $v (v128.load (local.get $p)))
      (local.set $m
        (i8x16.bitmask
          (v128.or
            (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x22)))
            (i8x16.eq (local.get $v) (i8x16.splat (i32.const 0x5c))))))
      (if (i32.eqz (local.get $m))
        (then
          (local.set $p (i32.add (local.get $p) (i32.const 16)))
          (br $next))))
    (i32.add (local.get $p) (i32.ctz (local.get $m))))

  ;; The position after the string whose opening quote is at p, escapes taken into account.
  (func $stringEnd (param $p i32) (result i32)
    (local.set $p (i32.add (local.get $p) (i32.const 1)))
    (loop $next
      (local.set $p (call $stop (local.get $p)))
      (if (i32.eq (i32.load8_u (local.get $p)) (i32.const 0x5c))
        (then
          (local.set $p (i32.add (local.get $p) (i32.const 2)))
          (br $next))))
    (i32.add (local.get $p) (i32.const 1)))

;; The position of the last byte before p that is not whitespace. (A byte below 0x21 that is not whitespace is
  ;; garbage outside a string: stage 2 fails on it by itself, as part of a token.)
  (func $before (param $p i32) (result i32)
    (loop $back
      (local.set $p (i32.sub (local.get $p) (i32.const 1)))
      (br_if $back (i32.le_u (i32.load8_u (local.get $p)) (i32.const 0x20))))
    (local.get $p))

  (func $digit (param $b i32) (result i32)
    (i32.lt_u (i32.sub (local.get $b) (i32.const 0x30)) (i32.const 10)))

  ;; The position after the number or literal starting at p, or -1: JSON's grammar, and the byte after it must be
  ;; whitespace, a quote or one of `{}[]:,` (else it runs on into bytes JSON.parse refuses).
  (func $scalarEnd (param $p i32) (result i32)
    (local $c i32)
    (local.set $c (i32.load8_u (local.get $p)))
    (block $end
      (block $bad
        (if (i32.eq (local.get $c) (i32.const 0x74))
          (then
            (br_if $bad (i32.ne (i32.load (local.get $p)) (i32.const 0x65757274)))
            (local.set $p (i32.add (local.get $p) (i32.const 4)))
            (br $end)))
        (if (i32.eq (local.get $c) (i32.const 0x6e))
          (then
            (br_if $bad (i32.ne (i32.load (local.get $p)) (i32.const 0x6c6c756e)))
            (local.set $p (i32.add (local.get $p) (i32.const 4)))
            (br $end)))
        (if (i32.eq (local.get $c) (i32.const 0x66))
          (then
            (br_if $bad (i32.ne (i32.load (local.get $p)) (i32.const 0x736c6166)))
            (br_if $bad (i32.ne (i32.load8_u offset=4 (local.get $p)) (i32.const 0x65)))
            (local.set $p (i32.add (local.get $p) (i32.const 5)))
            (br $end)))
        ;; -? (0 | [1-9][0-9]*) (.[0-9]+)? ([eE][+-]?[0-9]+)?
        (if (i32.eq (local.get $c) (i32.const 0x2d))
          (then
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (local.set $c (i32.load8_u (local.get $p)))))
        (if (i32.eq (local.get $c) (i32.const 0x30))
          (then (local.set $p (i32.add (local.get $p) (i32.const 1))))
          (else
            (br_if $bad (i32.eqz (call $digit (local.get $c))))
            (loop $int
              (local.set $p (i32.add (local.get $p) (i32.const 1)))
              (br_if $int (call $digit (i32.load8_u (local.get $p)))))))
        (if (i32.eq (i32.load8_u (local.get $p)) (i32.const 0x2e))
          (then
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (br_if $bad (i32.eqz (call $digit (i32.load8_u (local.get $p)))))
            (loop $frac
              (local.set $p (i32.add (local.get $p) (i32.const 1)))
              (br_if $frac (call $digit (i32.load8_u (local.get $p)))))))
        (if (i32.eq (i32.or (i32.load8_u (local.get $p)) (i32.const 0x20)) (i32.const 0x65))
          (then
            (local.set $p (i32.add (local.get $p) (i32.const 1)))
            (local.set $c (i32.load8_u (local.get $p)))
            (if (i32.or (i32.eq (local.get $c) (i32.const 0x2b)) (i32.eq (local.get $c) (i32.const 0x2d)))
              (then (local.set $p (i32.add (local.get $p) (i32.const 1)))))
            (br_if $bad (i32.eqz (call $digit (i32.load8_u (local.get $p)))))
            (loop $exp
              (local.set $p (i32.add (local.get $p) (i32.const 1)))
              (br_if $exp (call $digit (i32.load8_u (local.get $p)))))))
        (br $end))
      (return (i32.const -1)))
    (if (result i32) (i32.load8_u offset=512 (i32.load8_u (local.get $p)))
      (then (local.get $p))
      (else (i32.const -1))))

  ;; Whether the escaped characters in `escaped` (bit i: the byte at p + i follows an escaping backslash) are ones
  ;; JSON allows: " \ / b f n r t, or u and four hex digits.
  (func $escapesValid (param $p i32) (param $escaped i64) (result i32)
    (local $e i32)
    (local $kind i32)
    (block $bad
      (loop $next
        (if (i64.ne (local.get $escaped) (i64.const 0))
          (then
            (local.set $e (i32.add (local.get $p) (i32.wrap_i64 (i64.ctz (local.get $escaped)))))
            (local.set $escaped (i64.and (local.get $escaped) (i64.sub (local.get $escaped) (i64.const 1))))
            (local.set $kind (i32.load8_u (i32.load8_u (local.get $e))))
            (br_if $bad (i32.eqz (local.get $kind)))
            (if (i32.eq (local.get $kind) (i32.const 2))
              (then
                (br_if $bad (i32.eqz (i32.load8_u offset=256 (i32.load8_u offset=1 (local.get $e)))))
                (br_if $bad (i32.eqz (i32.load8_u offset=256 (i32.load8_u offset=2 (local.get $e)))))
                (br_if $bad (i32.eqz (i32.load8_u offset=256 (i32.load8_u offset=3 (local.get $e)))))
                (br_if $bad (i32.eqz (i32.load8_u offset=256 (i32.load8_u offset=4 (local.get $e)))))))
            (br $next))))
      (return (i32.const 1)))
    (i32.const 0))

  ;; The record being scanned (positions relative to $base), and where records go.
  (global $base (mut i32) (i32.const 0))
  (global $out (mut i32) (i32.const 0))
  (global $cap (mut i32) (i32.const 0))
  (global $count (mut i32) (i32.const 0))
  (global $recStart (mut i32) (i32.const 0))
  (global $flags (mut i32) (i32.const 0))
  (global $src0 (mut i32) (i32.const -1))
  (global $src1 (mut i32) (i32.const -1))
  (global $type0 (mut i32) (i32.const -1))
  (global $type1 (mut i32) (i32.const -1))
  (global $name0 (mut i32) (i32.const -1))
  (global $name1 (mut i32) (i32.const -1))
  ;; What the record's key just read names: 0 another key, 1 eventSource, 2 eventName, 3 eventType.
  (global $key (mut i32) (i32.const 0))

  (func $recordStart (param $t i32) (param $object i32)
    (global.set $recStart (i32.sub (local.get $t) (global.get $base)))
    (global.set $flags (local.get $object))
    (global.set $src0 (i32.const -1))
    (global.set $src1 (i32.const -1))
    (global.set $type0 (i32.const -1))
    (global.set $type1 (i32.const -1))
    (global.set $name0 (i32.const -1))
    (global.set $name1 (i32.const -1))
    (global.set $key (i32.const 0)))

  ;; Writes the record that ends before `end`; 1 when there is no room left.
  (func $emit (param $end i32) (result i32)
    (local $p i32)
    (if (i32.ge_u (global.get $count) (global.get $cap)) (then (return (i32.const 1))))
    (local.set $p (i32.add (global.get $out) (i32.mul (global.get $count) (i32.const 40))))
    (i32.store offset=0 (local.get $p) (global.get $recStart))
    (i32.store offset=4 (local.get $p) (i32.sub (local.get $end) (global.get $base)))
    (i32.store offset=8 (local.get $p) (global.get $flags))
    (i32.store offset=12 (local.get $p) (global.get $src0))
    (i32.store offset=16 (local.get $p) (global.get $src1))
    (i32.store offset=20 (local.get $p) (global.get $type0))
    (i32.store offset=24 (local.get $p) (global.get $type1))
    (i32.store offset=28 (local.get $p) (global.get $name0))
    (i32.store offset=32 (local.get $p) (global.get $name1))
    (i32.store offset=36 (local.get $p) (i32.const 0))
    (global.set $count (i32.add (global.get $count) (i32.const 1)))
    (i32.const 0))

  ;; A key of the record's own object, its opening quote at t. An escaped key could spell anything, and the keys
  ;; unwrap looks into (s3, Sns, body) or an Insight event's details send the record to the full parse.
  (func $recordKey (param $t i32)
    (local $h i32)
    (local $len i32)
    (local $w i64)
    (global.set $key (i32.const 0))
    (local.set $h (call $stop (i32.add (local.get $t) (i32.const 1))))
    (if (i32.eq (i32.load8_u (local.get $h)) (i32.const 0x5c))
      (then
        (global.set $flags (i32.or (global.get $flags) (i32.const 2)))
        (return)))
    (local.set $len (i32.sub (i32.sub (local.get $h) (local.get $t)) (i32.const 1)))
    (if (i32.eq (local.get $len) (i32.const 11))
      (then
        (if (i32.and
              (i64.eq (i64.load offset=1 (local.get $t)) (i64.const 0x756f53746e657665))
              (i32.eq (i32.load offset=8 (local.get $t)) (i32.const 0x65637275)))
          (then (global.set $key (i32.const 1))))
        (return)))
    (if (i32.eq (local.get $len) (i32.const 9))
      (then
        (if (i32.ne (i32.load8_u offset=9 (local.get $t)) (i32.const 0x65)) (then (return)))
        (local.set $w (i64.load offset=1 (local.get $t)))
        (if (i64.eq (local.get $w) (i64.const 0x6d614e746e657665)) (then (global.set $key (i32.const 2))))
        (if (i64.eq (local.get $w) (i64.const 0x707954746e657665)) (then (global.set $key (i32.const 3))))
        (return)))
    (if (i32.or
          (i32.or
            (i32.and
              (i32.eq (local.get $len) (i32.const 2))
              (i32.eq (i32.load16_u offset=1 (local.get $t)) (i32.const 0x3373)))
            (i32.and
              (i32.eq (local.get $len) (i32.const 3))
              (i32.and
                (i32.eq (i32.load16_u offset=1 (local.get $t)) (i32.const 0x6e53))
                (i32.eq (i32.load8_u offset=3 (local.get $t)) (i32.const 0x73)))))
          (i32.or
            (i32.and
              (i32.eq (local.get $len) (i32.const 4))
              (i32.eq (i32.load offset=1 (local.get $t)) (i32.const 0x79646f62)))
            (i32.and
              (i32.eq (local.get $len) (i32.const 14))
              (i32.and
                (i64.eq (i64.load offset=1 (local.get $t)) (i64.const 0x4474686769736e69))
                (i64.eq (i64.load offset=7 (local.get $t)) (i64.const 0x736c696174654474))))))
      (then (global.set $flags (i32.or (global.get $flags) (i32.const 2))))))

  ;; The value of the record's eventSource, eventName or eventType, starting at t with the byte c. The last one
  ;; counts, as in JSON.parse. An escaped or non-string eventSource or eventType makes the record unsafe (normalize
  ;; judges it); for eventName the flags say what it was.
  (func $fieldValue (param $t i32) (param $c i32)
    (local $h i32)
    (local $k i32)
    (local $s i32)
    (local $e i32)
    (local.set $k (global.get $key))
    (global.set $key (i32.const 0))
    (if (i32.eq (local.get $c) (i32.const 0x22))
      (then
        (local.set $h (call $stop (i32.add (local.get $t) (i32.const 1))))
        (if (i32.eq (i32.load8_u (local.get $h)) (i32.const 0x5c))
          (then
            (if (i32.eq (local.get $k) (i32.const 2))
              (then
                (global.set $flags (i32.or (i32.and (global.get $flags) (i32.const -9)) (i32.const 4)))
                (global.set $name0 (i32.const -1))
                (global.set $name1 (i32.const -1)))
              (else (global.set $flags (i32.or (global.get $flags) (i32.const 2)))))
            (return)))
        (local.set $s (i32.sub (i32.add (local.get $t) (i32.const 1)) (global.get $base)))
        (local.set $e (i32.sub (local.get $h) (global.get $base)))
        (if (i32.eq (local.get $k) (i32.const 1))
          (then
            (global.set $src0 (local.get $s))
            (global.set $src1 (local.get $e))))
        (if (i32.eq (local.get $k) (i32.const 3))
          (then
            (global.set $type0 (local.get $s))
            (global.set $type1 (local.get $e))))
        (if (i32.eq (local.get $k) (i32.const 2))
          (then
            (global.set $name0 (local.get $s))
            (global.set $name1 (local.get $e))
            (global.set $flags (i32.and (global.get $flags) (i32.const -13)))))
        (return)))
    (if (i32.eq (local.get $k) (i32.const 2))
      (then
        (global.set $flags (i32.or (i32.and (global.get $flags) (i32.const -5)) (i32.const 8)))
        (global.set $name0 (i32.const -1))
        (global.set $name1 (i32.const -1)))
      (else (global.set $flags (i32.or (global.get $flags) (i32.const 2))))))

  (func (export "scan") (param $start i32) (param $end i32) (param $base i32) (param $out i32) (param $cap i32)
    (result i32)
    ;; stage 1
    (local $pos i32) (local $blk i32) (local $bits i64)
    (local $v0 v128) (local $v1 v128) (local $v2 v128) (local $v3 v128)
    (local $n0 v128) (local $n1 v128) (local $n2 v128) (local $n3 v128)
    (local $o0 v128) (local $o1 v128) (local $o2 v128) (local $o3 v128) (local $x40 v128)
    (local $quote i64) (local $bs i64) (local $ws i64) (local $op i64) (local $brackets i64) (local $ctrl i64)
    (local $escaped i64) (local $nextEscaped i64) (local $code i64) (local $potential i64)
    (local $inString i64) (local $stringCarry i64) (local $outside i64) (local $other i64) (local $otherCarry i64)
    (local $wsTable v128) (local $opTable v128) (local $lowNibble v128) (local $x20 v128) (local $xQuote v128)
    (local $xBackslash v128)
    ;; stage 2
    (local $t i32) (local $c i32) (local $state i32) (local $d i32) (local $h i32) (local $framed i32)
    (local $sep i32) (local $s i32) (local $docEnd i32)

    (global.set $base (local.get $base))
    (global.set $out (local.get $out))
    (global.set $cap (local.get $cap))
    (global.set $count (i32.const 0))
    (global.set $key (i32.const 0))
    ;; A byte is whitespace when it equals the entry its low nibble selects; `[` `]` are `{` `}` less 0x20.
    (local.set $wsTable (v128.const i8x16 0x20 0 0 0 0 0 0 0 0 0x09 0x0a 0 0 0x0d 0 0))
    (local.set $opTable (v128.const i8x16 0 0 0 0 0 0 0 0 0 0 0x3a 0x7b 0x2c 0x7d 0 0))
    (local.set $lowNibble (i8x16.splat (i32.const 0x0f)))
    (local.set $x20 (i8x16.splat (i32.const 0x20)))
    (local.set $xQuote (i8x16.splat (i32.const 0x22)))
    (local.set $xBackslash (i8x16.splat (i32.const 0x5c)))
    (local.set $x40 (i8x16.splat (i32.const 0x40)))
    (local.set $pos (local.get $start))
    ;; Stage 2 sees strings, numbers, literals and brackets; the `:` or `,` before each is looked up. States: 0 the
    ;; file's first token; 1 after `[`; 2 after `{`; 3 after a key; 4 after a value; 5 after the file's object.
    ;; $d: open containers (1 the file's object, 2 Records, 3 a record).

    (block $full
      (block $bad
        (block $finish
          (loop $main
            ;; The next token; stage 1 over the next blocks when this one has none left.
            (block $have
              (br_if $have (i64.ne (local.get $bits) (i64.const 0)))
              (loop $refill
                (br_if $finish (i32.ge_u (local.get $pos) (local.get $end)))
                (local.set $v0 (v128.load offset=0 (local.get $pos)))
                (local.set $v1 (v128.load offset=16 (local.get $pos)))
                (local.set $v2 (v128.load offset=32 (local.get $pos)))
                (local.set $v3 (v128.load offset=48 (local.get $pos)))
                (local.set $quote
                  (call $mask
                    (i8x16.eq (local.get $v0) (local.get $xQuote)) (i8x16.eq (local.get $v1) (local.get $xQuote))
                    (i8x16.eq (local.get $v2) (local.get $xQuote)) (i8x16.eq (local.get $v3) (local.get $xQuote))))
                (local.set $bs
                  (call $mask
                    (i8x16.eq (local.get $v0) (local.get $xBackslash))
                    (i8x16.eq (local.get $v1) (local.get $xBackslash))
                    (i8x16.eq (local.get $v2) (local.get $xBackslash))
                    (i8x16.eq (local.get $v3) (local.get $xBackslash))))
                (local.set $n0 (v128.and (local.get $v0) (local.get $lowNibble)))
                (local.set $n1 (v128.and (local.get $v1) (local.get $lowNibble)))
                (local.set $n2 (v128.and (local.get $v2) (local.get $lowNibble)))
                (local.set $n3 (v128.and (local.get $v3) (local.get $lowNibble)))
                (local.set $ws
                  (call $mask
                    (i8x16.eq (local.get $v0) (i8x16.swizzle (local.get $wsTable) (local.get $n0)))
                    (i8x16.eq (local.get $v1) (i8x16.swizzle (local.get $wsTable) (local.get $n1)))
                    (i8x16.eq (local.get $v2) (i8x16.swizzle (local.get $wsTable) (local.get $n2)))
                    (i8x16.eq (local.get $v3) (i8x16.swizzle (local.get $wsTable) (local.get $n3)))))
                (local.set $o0
                  (i8x16.eq (v128.or (local.get $v0) (local.get $x20)) (i8x16.swizzle (local.get $opTable) (local.get $n0))))
                (local.set $o1
                  (i8x16.eq (v128.or (local.get $v1) (local.get $x20)) (i8x16.swizzle (local.get $opTable) (local.get $n1))))
                (local.set $o2
                  (i8x16.eq (v128.or (local.get $v2) (local.get $x20)) (i8x16.swizzle (local.get $opTable) (local.get $n2))))
                (local.set $o3
                  (i8x16.eq (v128.or (local.get $v3) (local.get $x20)) (i8x16.swizzle (local.get $opTable) (local.get $n3))))
                (local.set $op (call $mask (local.get $o0) (local.get $o1) (local.get $o2) (local.get $o3)))
                ;; `{}[]` are above 0x40, `:` and `,` below.
                (local.set $brackets
                  (call $mask
                    (v128.and (local.get $o0) (i8x16.gt_u (local.get $v0) (local.get $x40)))
                    (v128.and (local.get $o1) (i8x16.gt_u (local.get $v1) (local.get $x40)))
                    (v128.and (local.get $o2) (i8x16.gt_u (local.get $v2) (local.get $x40)))
                    (v128.and (local.get $o3) (i8x16.gt_u (local.get $v3) (local.get $x40)))))
                (local.set $ctrl
                  (call $mask
                    (i8x16.lt_u (local.get $v0) (local.get $x20)) (i8x16.lt_u (local.get $v1) (local.get $x20))
                    (i8x16.lt_u (local.get $v2) (local.get $x20)) (i8x16.lt_u (local.get $v3) (local.get $x20))))
                ;; Escaped characters: each byte after an odd run of backslashes (simdjson's escape scanner).
                (if (i64.eqz (local.get $bs))
                  (then
                    (local.set $escaped (local.get $nextEscaped))
                    (local.set $nextEscaped (i64.const 0)))
                  (else
                    (local.set $potential (i64.and (local.get $bs) (i64.xor (local.get $nextEscaped) (i64.const -1))))
                    (local.set $code
                      (i64.xor
                        (i64.sub
                          (i64.or (i64.shl (local.get $potential) (i64.const 1)) (i64.const 0xaaaaaaaaaaaaaaaa))
                          (local.get $potential))
                        (i64.const 0xaaaaaaaaaaaaaaaa)))
                    (local.set $escaped (i64.xor (local.get $code) (i64.or (local.get $bs) (local.get $nextEscaped))))
                    (local.set $nextEscaped (i64.shr_u (i64.and (local.get $code) (local.get $bs)) (i64.const 63)))))
                (if (i64.ne (local.get $escaped) (i64.const 0))
                  (then
                    (br_if $bad (i32.eqz (call $escapesValid (local.get $pos) (local.get $escaped))))
                    (local.set $quote (i64.and (local.get $quote) (i64.xor (local.get $escaped) (i64.const -1))))))
                ;; Inside a string: from its opening quote to the byte before its closing one (a prefix XOR).
                (local.set $inString (i64.xor (local.get $quote) (i64.shl (local.get $quote) (i64.const 1))))
                (local.set $inString (i64.xor (local.get $inString) (i64.shl (local.get $inString) (i64.const 2))))
                (local.set $inString (i64.xor (local.get $inString) (i64.shl (local.get $inString) (i64.const 4))))
                (local.set $inString (i64.xor (local.get $inString) (i64.shl (local.get $inString) (i64.const 8))))
                (local.set $inString (i64.xor (local.get $inString) (i64.shl (local.get $inString) (i64.const 16))))
                (local.set $inString
                  (i64.xor
                    (i64.xor (local.get $inString) (i64.shl (local.get $inString) (i64.const 32)))
                    (local.get $stringCarry)))
                (local.set $stringCarry (i64.shr_s (local.get $inString) (i64.const 63)))
                ;; JSON.parse refuses a raw control character in a string.
                (br_if $bad (i64.ne (i64.and (local.get $ctrl) (local.get $inString)) (i64.const 0)))
                (local.set $outside (i64.xor (i64.or (local.get $inString) (local.get $quote)) (i64.const -1)))
                ;; Bytes outside strings that are neither whitespace nor `{}[]:,`: numbers, literals, or garbage.
                (local.set $other
                  (i64.and (local.get $outside) (i64.xor (i64.or (local.get $ws) (local.get $op)) (i64.const -1))))
                (local.set $bits
                  (i64.or
                    (i64.or
                      (i64.and (local.get $brackets) (local.get $outside))
                      (i64.and (local.get $quote) (local.get $inString)))
                    (i64.and
                      (local.get $other)
                      (i64.xor
                        (i64.or (i64.shl (local.get $other) (i64.const 1)) (local.get $otherCarry))
                        (i64.const -1)))))
                (local.set $otherCarry (i64.shr_u (local.get $other) (i64.const 63)))
                (local.set $blk (local.get $pos))
                (local.set $pos (i32.add (local.get $pos) (i32.const 64)))
                (br_if $refill (i64.eqz (local.get $bits)))))
            (local.set $t (i32.add (local.get $blk) (i32.wrap_i64 (i64.ctz (local.get $bits)))))
            (local.set $bits (i64.and (local.get $bits) (i64.sub (local.get $bits) (i64.const 1))))
            (local.set $c (i32.load8_u (local.get $t)))
            ;; The separator before t, if any: between two tokens there is only whitespace, `:` and `,` (anything
            ;; else would be a token), and JSON allows at most one of those, right after a value or a key.
            (local.set $sep (i32.const 0))
            (if (local.get $state)
              (then
                (local.set $h (call $before (local.get $t)))
                (local.set $s (i32.load8_u (local.get $h)))
                (if (i32.or (i32.eq (local.get $s) (i32.const 0x3a)) (i32.eq (local.get $s) (i32.const 0x2c)))
                  (then
                    (local.set $sep (local.get $s))
                    (local.set $s (i32.load8_u (call $before (local.get $h))))
                    (br_if $bad (i32.or (i32.eq (local.get $s) (i32.const 0x3a)) (i32.eq (local.get $s) (i32.const 0x2c))))))))

            (block $close
              (block $key
                (block $value
                  (block $s5
                    (block $s4
                      (block $s3
                        (block $s2
                          (block $s1
                            (block $s0
                              (br_table $s0 $s1 $s2 $s3 $s4 $s5 (local.get $state)))
                            ;; 0: the file's first token, with only whitespace before it
                            (local.set $h (local.get $start))
                            (loop $lead
                              (if (i32.lt_u (local.get $h) (local.get $t))
                                (then
                                  (br_if $bad (i32.eqz (i32.load8_u offset=1024 (i32.load8_u (local.get $h)))))
                                  (local.set $h (i32.add (local.get $h) (i32.const 1)))
                                  (br $lead))))
                            (br $value))
                          ;; 1: after `[`
                          (br_if $bad (local.get $sep))
                          (br_if $close (i32.eq (local.get $c) (i32.const 0x5d)))
                          (br $value))
                        ;; 2: after `{`
                        (br_if $bad (local.get $sep))
                        (br_if $close (i32.eq (local.get $c) (i32.const 0x7d)))
                        (br_if $key (i32.eq (local.get $c) (i32.const 0x22)))
                        (br $bad))
                      ;; 3: after a key
                      (br_if $bad (i32.ne (local.get $sep) (i32.const 0x3a)))
                      (br $value))
                    ;; 4: after a value
                    (if (i32.eq (local.get $sep) (i32.const 0x2c))
                      (then
                        ;; The file's object has one key, Records.
                        (br_if $bad (i32.eq (local.get $d) (i32.const 1)))
                        (br_if $value (i32.ne (i32.load8_u offset=1280 (local.get $d)) (i32.const 0x7d)))
                        (br_if $key (i32.eq (local.get $c) (i32.const 0x22)))
                        (br $bad)))
                    (br_if $bad (local.get $sep))
                    (br_if $close (i32.eq (local.get $c) (i32.load8_u offset=1280 (local.get $d))))
                    (br $bad))
                  ;; 5: after the file's object
                  (br $bad))

                ;; A value starts at t, in the container at depth d (0: the file itself).
                (if (i32.eq (i32.or (local.get $c) (i32.const 0x20)) (i32.const 0x7b))
                  (then
                    (if (i32.le_u (local.get $d) (i32.const 3))
                      (then
                        (br_if $bad (i32.and (i32.eqz (local.get $d)) (i32.ne (local.get $c) (i32.const 0x7b))))
                        (br_if $bad
                          (i32.and (i32.eq (local.get $d) (i32.const 1)) (i32.ne (local.get $c) (i32.const 0x5b))))
                        (if (i32.eq (local.get $d) (i32.const 2))
                          (then (call $recordStart (local.get $t) (i32.eq (local.get $c) (i32.const 0x7b)))))
                        (if (i32.and (i32.eq (local.get $d) (i32.const 3)) (i32.ne (global.get $key) (i32.const 0)))
                          (then (call $fieldValue (local.get $t) (local.get $c))))))
                    ;; The JavaScript scanner's limit: 256 levels inside a record.
                    (br_if $bad (i32.ge_u (local.get $d) (i32.const 258)))
                    (local.set $d (i32.add (local.get $d) (i32.const 1)))
                    ;; The closing byte: `{` + 2 is `}`, `[` + 2 is `]`.
                    (i32.store8 offset=1280 (local.get $d) (i32.add (local.get $c) (i32.const 2)))
                    (local.set $state (select (i32.const 2) (i32.const 1) (i32.eq (local.get $c) (i32.const 0x7b))))
                    (br $main)))
                (br_if $bad (i32.le_u (local.get $d) (i32.const 1)))
                (local.set $state (i32.const 4))
                (if (i32.eq (local.get $c) (i32.const 0x22))
                  (then
                    ;; A string: stage 1 checked its bytes.
                    (if (i32.le_u (local.get $d) (i32.const 3))
                      (then
                        (if (i32.eq (local.get $d) (i32.const 2))
                          (then
                            (call $recordStart (local.get $t) (i32.const 0))
                            (br_if $full (call $emit (call $stringEnd (local.get $t))))))
                        (if (i32.and (i32.eq (local.get $d) (i32.const 3)) (i32.ne (global.get $key) (i32.const 0)))
                          (then (call $fieldValue (local.get $t) (local.get $c))))))
                    (br $main)))
                (local.set $h (call $scalarEnd (local.get $t)))
                (br_if $bad (i32.lt_s (local.get $h) (i32.const 0)))
                (if (i32.le_u (local.get $d) (i32.const 3))
                  (then
                    (if (i32.eq (local.get $d) (i32.const 2))
                      (then
                        (call $recordStart (local.get $t) (i32.const 0))
                        (br_if $full (call $emit (local.get $h)))))
                    (if (i32.and (i32.eq (local.get $d) (i32.const 3)) (i32.ne (global.get $key) (i32.const 0)))
                      (then (call $fieldValue (local.get $t) (local.get $c))))))
                (br $main))

              ;; A key at t, in the object at depth d.
              (local.set $state (i32.const 3))
              (if (i32.eq (local.get $d) (i32.const 3))
                (then (call $recordKey (local.get $t)))
                (else
                  (if (i32.eq (local.get $d) (i32.const 1))
                    (then
                      ;; The file's one key: Records, unescaped.
                      (br_if $bad (i64.ne (i64.load offset=1 (local.get $t)) (i64.const 0x227364726f636552)))
                      (local.set $framed (i32.const 1))))))
              (br $main))

            ;; The container at depth d closes at t.
            (if (i32.eq (local.get $d) (i32.const 3))
              (then (br_if $full (call $emit (i32.add (local.get $t) (i32.const 1))))))
            (local.set $d (i32.sub (local.get $d) (i32.const 1)))
            (local.set $state (select (i32.const 4) (i32.const 5) (local.get $d)))
            (local.set $docEnd (i32.add (local.get $t) (i32.const 1)))
            (br $main)))
        ;; Every token read: the file's object must have closed, with its Records, no string left open, and only
        ;; whitespace after it (a `:` or `,` there is no token).
        (br_if $bad (i32.ne (local.get $state) (i32.const 5)))
        (br_if $bad (i32.eqz (local.get $framed)))
        (br_if $bad (i64.ne (local.get $stringCarry) (i64.const 0)))
        (loop $trail
          (if (i32.lt_u (local.get $docEnd) (local.get $end))
            (then
              (br_if $bad (i32.eqz (i32.load8_u offset=1024 (i32.load8_u (local.get $docEnd)))))
              (local.set $docEnd (i32.add (local.get $docEnd) (i32.const 1)))
              (br $trail))))
        (return (global.get $count)))
      (return (i32.const -1)))
    (i32.const -2))
)
