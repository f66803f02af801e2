import { patch } from "@web/core/utils/patch";
import { useService } from "@web/core/utils/hooks";
import { PartnerLine } from "@point_of_sale/app/screens/partner_list/partner_line/partner_line";
import { CustomerSmsDialog } from "@intellipush_sms_pos/app/customer_sms_dialog/customer_sms_dialog";
import { QuickSmsDialog } from "@intellipush_sms_pos/app/quick_sms_dialog/quick_sms_dialog";

patch(PartnerLine.prototype, {
    setup() {
        super.setup(...arguments);
        this.dialog = useService("dialog");
    },
    intellipushEditSms() {
        this.dialog.add(CustomerSmsDialog, { partner: this.props.partner });
    },
    intellipushSendSms() {
        this.dialog.add(QuickSmsDialog, { partner: this.props.partner });
    },
});
